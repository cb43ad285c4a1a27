#pragma once
// SHA-256 through OpenSSL's libcrypto: cache keys must not collide, by accident or by design
// (a crafted text must not fetch another text's embedding or answer).
#include <array>
#include <cstdint>
#include <string_view>

namespace ragkernel::store::detail {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::string_view bytes);
  Digest finish();  // the object can be reused after finish()

 private:
  struct Ctx;
  Ctx* ctx_;
};

}  // namespace ragkernel::store::detail
