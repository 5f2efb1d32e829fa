# Cross-compiling for 64-bit Arm boards (RK3588, RK3576, RK356x, RK3562) from
# Debian with g++-aarch64-linux-gnu:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#         -DRKYOLO_WITH_CPU=OFF -DRKYOLO_BUILD_APPS=OFF -DRKYOLO_BUILD_EMULATOR=OFF -DRKYOLO_BUILD_BENCH=OFF
# builds the core and the RKNN backend (no OpenCV needed). On the board, the
# CLI builds natively with the board's OpenCV.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Run cross-built tests with qemu-user when it is installed.
find_program(RKYOLO_QEMU_AARCH64 qemu-aarch64)
if(RKYOLO_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${RKYOLO_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()
