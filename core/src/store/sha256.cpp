#include "store/sha256.hpp"

#include <openssl/evp.h>

#include "ragkernel/error.hpp"

namespace ragkernel::store::detail {
namespace {

// Fetched once: OpenSSL 3 looks the algorithm up on every EVP_sha256() call otherwise.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) throw Error("OpenSSL has no SHA256 implementation available");
  return md;
}

}  // namespace

struct Sha256::Ctx {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : ctx_(new Ctx) {
  ctx_->ctx = EVP_MD_CTX_new();
  if (ctx_->ctx == nullptr || EVP_DigestInit_ex2(ctx_->ctx, sha256_md(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_->ctx);
    delete ctx_;
    throw Error("OpenSSL failed to start a SHA-256 digest");
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_->ctx);
  delete ctx_;
}

Sha256& Sha256::update(std::string_view bytes) {
  if (EVP_DigestUpdate(ctx_->ctx, bytes.data(), bytes.size()) != 1) throw Error("OpenSSL SHA-256 update failed");
  return *this;
}

Digest Sha256::finish() {
  Digest out{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx_->ctx, out.data(), &size) != 1 || size != out.size() ||
      EVP_DigestInit_ex2(ctx_->ctx, nullptr, nullptr) != 1) {
    throw Error("OpenSSL SHA-256 finish failed");
  }
  return out;
}

}  // namespace ragkernel::store::detail
