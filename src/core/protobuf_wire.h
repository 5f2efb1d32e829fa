// rkyolo: the protobuf wire format, both ways, for the ONNX reader and
// writer: a bounds-checked field reader and an appending writer. The reader
// reports malformed input as a Message; truncations come as kOnnxTruncated
// ("the file is truncated or damaged: ...") around the detail.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "rkyolo/message.h"

namespace rkyolo::core::pb {

// Wire types.
inline constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

struct Field {
  int number = 0;
  int wire = 0;
  std::uint64_t varint = 0;
  std::uint32_t fixed32 = 0;
  const std::uint8_t* bytes = nullptr;  // length-delimited payload
  std::size_t size = 0;
};

// A truncation: `what` ran out of data.
inline Message truncated(MessageId what) {
  return Message(MessageId::kOnnxTruncated, {{"detail", Message(what)}});
}

class Reader {
 public:
  Reader(const std::uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}
  bool done() const { return p_ >= end_; }

  // Returns false with `error` set on malformed or truncated input.
  bool next(Field* f, Message* error) {
    std::uint64_t key;
    if (!varint(&key)) return fail(error, truncated(MessageId::kWireTruncatedKey));
    f->number = static_cast<int>(key >> 3);
    f->wire = static_cast<int>(key & 7);
    if (f->number == 0 || (key >> 3) > 0x1FFFFFFF) return fail(error, MessageId::kWireFieldZero);
    switch (f->wire) {
      case kVarint:
        if (!varint(&f->varint)) return fail(error, truncated(MessageId::kWireTruncatedVarint));
        return true;
      case kFixed64:
        if (end_ - p_ < 8) return fail(error, truncated(MessageId::kWireTruncated64));
        p_ += 8;
        return true;
      case kFixed32:
        if (end_ - p_ < 4) return fail(error, truncated(MessageId::kWireTruncated32));
        std::memcpy(&f->fixed32, p_, 4);
        p_ += 4;
        return true;
      case kLengthDelimited: {
        std::uint64_t len;
        if (!varint(&len)) return fail(error, truncated(MessageId::kWireTruncatedLength));
        if (len > static_cast<std::uint64_t>(end_ - p_)) return fail(error, truncated(MessageId::kWirePastEnd));
        f->bytes = p_;
        f->size = static_cast<std::size_t>(len);
        p_ += len;
        return true;
      }
      default: return fail(error, Message(MessageId::kWireInvalidType, {{"type", f->wire}}));
    }
  }

  bool varint(std::uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return false;
      const std::uint8_t b = *p_++;
      *v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }

 private:
  static bool fail(Message* error, Message what) {
    *error = std::move(what);
    return false;
  }
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

inline std::string as_string(const Field& f) {
  return std::string(reinterpret_cast<const char*>(f.bytes), f.size);
}

// Iterates the fields of a message, stopping at the first error or when
// `fn` returns false.
template <typename Fn>
bool for_each_field(const std::uint8_t* p, std::size_t n, Message* error, Fn&& fn) {
  Reader r(p, n);
  Field f;
  while (!r.done()) {
    if (!r.next(&f, error)) return false;
    if (!fn(f)) return false;
  }
  return true;
}

// Appends fields to a byte string.
class Writer {
 public:
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void key(int field, int wire) { varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire)); }
  void u(int field, std::uint64_t v) {
    key(field, kVarint);
    varint(v);
  }
  void i(int field, std::int64_t v) { u(field, static_cast<std::uint64_t>(v)); }
  void f32(int field, float v) {
    key(field, kFixed32);
    char b[4];
    std::memcpy(b, &v, 4);
    out_.append(b, 4);
  }
  void bytes(int field, const void* data, std::size_t n) {
    key(field, kLengthDelimited);
    varint(n);
    out_.append(static_cast<const char*>(data), n);
  }
  void s(int field, const std::string& v) { bytes(field, v.data(), v.size()); }
  void m(int field, const Writer& sub) { s(field, sub.out_); }
  void raw(const std::string& already_encoded) { out_ += already_encoded; }
  const std::string& str() const { return out_; }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

}  // namespace rkyolo::core::pb
