// Registers every backend compiled into this build.
#include <mutex>

#include "rkyolo/backend.h"

#if defined(RKYOLO_WITH_CPU)
#include "backends/cpu/cpu_backend.h"
#endif
#if defined(RKYOLO_WITH_RKNN)
#include "backends/rknn/rknn_backend.h"
#endif

namespace rkyolo {

void register_builtin_backends() {
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(RKYOLO_WITH_RKNN)
    register_rknn_backend();
#endif
#if defined(RKYOLO_WITH_CPU)
    register_cpu_backend();
#endif
  });
}

}  // namespace rkyolo
