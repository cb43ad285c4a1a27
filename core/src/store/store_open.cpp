// Opening a store: directory checks, RocksDB options, the three access modes, the manifest.
#include <fcntl.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <set>

#include "ragkernel/build_info.hpp"
#include "store/family_options.hpp"
#include "store/status.hpp"
#include "store/store_impl.hpp"

namespace fs = std::filesystem;

namespace ragkernel::store {
namespace {

constexpr const char* kFormat = "ragkernel-store";
constexpr const char* kConfigPrefix = "config/";

std::int64_t system_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void validate_schema(const Schema& schema) {
  if (schema.kind.empty()) throw InvalidArgument("schema kind is empty; expected a component name");
  std::set<std::string> names;
  for (const FamilySpec& spec : schema.families) {
    if (spec.name.empty() || spec.name == rocksdb::kDefaultColumnFamilyName || spec.name == kManifestFamily) {
      throw InvalidArgument("family name '" + spec.name + "' is reserved or empty; choose another");
    }
    if (!names.insert(spec.name).second) throw InvalidArgument("family '" + spec.name + "' is listed twice");
  }
}

// Files RocksDB itself leaves in a directory that has no CURRENT yet (a creation that died).
bool is_rocksdb_file(const std::string& name) {
  return name == "LOCK" || name == "IDENTITY" || name.starts_with("LOG") || name.starts_with("MANIFEST-") ||
         name.starts_with("OPTIONS-") || name.ends_with(".log") || name.ends_with(".sst") || name.ends_with(".dbtmp");
}

void check_new_directory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) throw InvalidArgument(dir.string() + " is a file; expected a store directory");
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!is_rocksdb_file(name)) {
      throw InvalidArgument(dir.string() + " is not empty and holds no ragkernel store (found '" + name +
                            "'); choose a new or empty directory");
    }
    // Tables or logs without CURRENT are a store that lost its pointer file, not a creation
    // that died early: creating over them would orphan the data.
    if (name.ends_with(".sst") || name.ends_with(".log")) {
      throw Corruption("store at " + dir.string() + " has data files ('" + name +
                       "') but no CURRENT file (ragkernel.store.repair('" + dir.string() +
                       "') rebuilds what RocksDB can recover)");
    }
  }
}

// The pid of another process holding the store's LOCK (a live writer), if any.
std::optional<long> lock_holder(const fs::path& dir) {
  const std::string lock = (dir / "LOCK").string();
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock probe{};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  std::optional<long> holder;
  if (::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK) holder = static_cast<long>(probe.l_pid);
  ::close(fd);
  return holder;
}

rocksdb::DBOptions db_options(const StoreOptions& options, Access access,
                              const std::shared_ptr<rocksdb::Statistics>& stats) {
  rocksdb::DBOptions db;
  db.create_if_missing = access == Access::read_write;
  db.create_missing_column_families = access == Access::read_write;
  db.paranoid_checks = true;
  // A torn last record (the process died mid-append) is dropped; damage anywhere else in a
  // log refuses the open instead of silently losing the acknowledged writes after it.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db.max_open_files = -1;  // required by secondaries; also keeps files readable once opened
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  db.keep_log_file_num = 2;
  db.max_log_file_size = 1 << 20;
  db.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(options.memtable_bytes);
  // With several families one write-ahead log serves all; a family that rarely changes would
  // otherwise keep old logs alive. Past this size its memtable is flushed.
  db.max_total_wal_size = 4 * static_cast<std::uint64_t>(options.memtable_bytes);
  db.statistics = stats;
  return db;
}

std::uint32_t parse_schema_version(const std::string& path, const std::string& text) {
  std::uint32_t version = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version == 0) {
    throw Corruption("store at " + path + ": manifest schema_version is '" + text +
                     "', expected a positive decimal integer");
  }
  return version;
}

bool every_family_empty(const Store::Impl& impl) {
  for (rocksdb::ColumnFamilyHandle* handle : impl.handles) {
    std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(rocksdb::ReadOptions(), handle));
    it->SeekToFirst();
    detail::throw_if_error(it->status(), "read store at " + impl.path);
    if (it->Valid()) return false;
  }
  return true;
}

std::optional<std::string> manifest_get(const Store::Impl& impl, std::string_view key) {
  std::string value;
  const rocksdb::Status s = impl.db->Get(rocksdb::ReadOptions(), impl.handles[impl.manifest_index],
                                         rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  detail::throw_if_error(s, "read the manifest of store at " + impl.path);
  return value;
}

void write_new_manifest(Store::Impl& impl, const Schema& schema) {
  rocksdb::WriteBatch batch;
  auto* manifest = impl.handles[impl.manifest_index];
  batch.Put(manifest, "format", kFormat);
  batch.Put(manifest, "schema_version", std::to_string(kSchemaVersion));
  batch.Put(manifest, "kind", schema.kind);
  batch.Put(manifest, "created_by", "ragkernel " + build_info().version);
  for (const auto& [key, value] : schema.config) batch.Put(manifest, kConfigPrefix + key, value);
  rocksdb::WriteOptions durable;
  durable.sync = true;  // creation is rare; make it survive power loss
  detail::throw_if_error(impl.db->Write(durable, &batch), "write the manifest of store at " + impl.path);
}

void load_manifest(Store::Impl& impl, const Schema& schema, bool created_now) {
  std::optional<std::string> format = manifest_get(impl, "format");
  if (!format) {
    // A creation that died between making the families and writing the manifest leaves an
    // empty store: finish it. Records without a manifest are not ours to guess about.
    if (impl.access == Access::read_write && (created_now || every_family_empty(impl))) {
      write_new_manifest(impl, schema);
      format = kFormat;
    } else if (impl.access != Access::read_write && every_family_empty(impl)) {
      throw NotFound("store at " + impl.path + " was never finished (no manifest and no records); open it once with " +
                     "access='read_write' to create it");
    } else {
      throw Corruption("store at " + impl.path +
                       " has records but no manifest (field 'format' is missing): it was not written by ragkernel, "
                       "or its manifest family was damaged");
    }
  }
  if (*format != kFormat) {
    throw Corruption("store at " + impl.path + ": manifest format is '" + *format + "', expected '" + kFormat + "'");
  }
  const std::string version_text = manifest_get(impl, "schema_version").value_or("");
  impl.schema_version = parse_schema_version(impl.path, version_text);
  if (impl.schema_version > kSchemaVersion) {
    throw Corruption("store at " + impl.path + " has schema version " + std::to_string(impl.schema_version) +
                     ", newer than this build of ragkernel reads (versions up to " + std::to_string(kSchemaVersion) +
                     "); open it with a newer ragkernel");
  }
  impl.kind = manifest_get(impl, "kind").value_or("");
  if (impl.kind != schema.kind) {
    throw InvalidArgument("store at " + impl.path + " holds a '" + impl.kind + "', not a '" + schema.kind + "'");
  }

  std::unique_ptr<rocksdb::Iterator> it(
      impl.db->NewIterator(rocksdb::ReadOptions(), impl.handles[impl.manifest_index]));
  for (it->Seek(kConfigPrefix); it->Valid() && it->key().starts_with(kConfigPrefix); it->Next()) {
    impl.config.emplace(it->key().ToString().substr(std::string_view(kConfigPrefix).size()), it->value().ToString());
  }
  detail::throw_if_error(it->status(), "read the manifest of store at " + impl.path);

  rocksdb::WriteBatch additions;
  for (const auto& [key, value] : schema.config) {
    const auto stored = impl.config.find(key);
    if (stored == impl.config.end()) {
      // A configuration field this store predates: record it when we may write.
      impl.config.emplace(key, value);
      additions.Put(impl.handles[impl.manifest_index], kConfigPrefix + key, value);
    } else if (stored->second != value) {
      throw InvalidArgument("store at " + impl.path + " was created with " + key + "=" + stored->second +
                            "; this open asked for " + key + "=" + value);
    }
  }
  if (additions.Count() > 0 && impl.access == Access::read_write) {
    detail::throw_if_error(impl.db->Write(impl.write_options, &additions), "update the manifest of " + impl.path);
  }
}

std::string with_repair_hint(const std::string& message, const std::string& path) {
  return message + " (ragkernel.store.repair('" + path + "') rebuilds what RocksDB can recover)";
}

}  // namespace

namespace detail {

std::mutex& writer_registry_mutex() {
  static std::mutex m;
  return m;
}

std::set<std::string>& writer_registry() {
  static std::set<std::string> s;
  return s;
}

std::string registry_key(const std::string& path) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? path : canonical.string();
}

}  // namespace detail

BlockCache::BlockCache(std::size_t capacity_bytes) : impl_(std::make_shared<Impl>()) {
  rocksdb::LRUCacheOptions options;
  options.capacity = capacity_bytes;
  options.num_shard_bits = 4;
  options.high_pri_pool_ratio = 0.25;  // index and filter blocks
  impl_->cache = rocksdb::NewLRUCache(options);
}

std::size_t BlockCache::capacity() const { return impl_->cache->GetCapacity(); }
std::size_t BlockCache::usage() const { return impl_->cache->GetUsage(); }

std::shared_ptr<Store> Store::open(const std::string& path, const Schema& schema_in, const StoreOptions& options) {
  validate_schema(schema_in);
  Schema schema = schema_in;
  schema.families.insert(schema.families.begin(),
                         FamilySpec{.name = kManifestFamily, .compression = Compression::none});

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->access = options.access;
  impl->options = options;
  impl->clock = options.clock ? options.clock : std::function<std::int64_t()>(system_clock_ms);
  impl->cache =
      options.block_cache ? options.block_cache->impl_->cache : BlockCache(options.block_cache_bytes).impl_->cache;
  impl->statistics = rocksdb::CreateDBStatistics();
  impl->statistics->set_stats_level(rocksdb::StatsLevel::kExceptTimers);
  impl->write_options.sync = options.sync;

  const fs::path dir(path);
  const bool existed = fs::exists(dir / "CURRENT");
  const std::string registry_key = detail::registry_key(path);
  std::lock_guard registry_lock(detail::writer_registry_mutex());
  const bool written_here = detail::writer_registry().contains(registry_key);

  if (!existed) {
    check_new_directory(dir);
    if (options.access != Access::read_write || !options.create_if_missing) {
      throw NotFound("no store at " + path + " (it has no CURRENT file)" +
                     (options.access == Access::read_write ? "; pass create_if_missing=true to create one"
                                                           : "; create it first with access='read_write'"));
    }
  }
  if (options.access == Access::read_write && written_here) {
    throw IOError("open store at " + path +
                  ": this process already has it open for writing; one writer per directory: close the other handle, "
                  "or open this one with access='read_only' or 'secondary'");
  }
  if (options.access == Access::read_only) {
    // RocksDB leaves a read-only open beside a live writer undefined; a secondary is the
    // supported way to read while someone writes.
    std::optional<long> holder = written_here ? std::optional<long>(::getpid()) : lock_holder(dir);
    if (holder) {
      throw IOError("store at " + path + " is open for writing by process " + std::to_string(*holder) +
                    "; read it while it is written with access='secondary' (follows the writer), or read_only once "
                    "the writer has closed");
    }
  }

  rocksdb::DBOptions db = db_options(options, options.access, impl->statistics);
  std::vector<std::string> existing;
  if (existed) {
    detail::throw_if_error(rocksdb::DB::ListColumnFamilies(db, path, &existing), "open store at " + path);
  }

  // Descriptors: the default family RocksDB always has, the schema's families, then any
  // family a newer component added.
  std::vector<FamilySpec> specs;
  std::vector<std::string> missing;
  auto known = [&](const std::string& name) {
    return std::find(existing.begin(), existing.end(), name) != existing.end();
  };
  specs.push_back(detail::unknown_family_spec(rocksdb::kDefaultColumnFamilyName));
  for (const FamilySpec& spec : schema.families) {
    if (options.access == Access::read_write || known(spec.name)) {
      specs.push_back(spec);
    } else {
      missing.push_back(spec.name);
    }
  }
  for (const std::string& name : existing) {
    if (std::none_of(specs.begin(), specs.end(), [&](const FamilySpec& s) { return s.name == name; })) {
      specs.push_back(detail::unknown_family_spec(name));
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const FamilySpec& spec : specs) {
    descriptors.emplace_back(spec.name, detail::family_options(spec, impl->cache, impl->clock));
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  switch (options.access) {
    case Access::read_write: status = rocksdb::DB::Open(db, path, descriptors, &impl->handles, &raw); break;
    case Access::read_only: status = rocksdb::DB::OpenForReadOnly(db, path, descriptors, &impl->handles, &raw); break;
    case Access::secondary: {
      std::string pattern = (fs::temp_directory_path() / "ragkernel-secondary-XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) throw IOError("cannot create a scratch directory for a secondary");
      impl->secondary_dir = pattern;
      status = rocksdb::DB::OpenAsSecondary(db, path, pattern, descriptors, &impl->handles, &raw);
      break;
    }
  }
  impl->db.reset(raw);
  impl->specs = specs;
  for (std::uint32_t i = 0; i < specs.size(); ++i) impl->by_name.emplace(specs[i].name, i);
  impl->manifest_index = impl->by_name.at(kManifestFamily);

  try {
    try {
      detail::throw_if_error(status, "open store at " + path);
      load_manifest(*impl, schema_in, !existed);
    } catch (const Corruption& e) {
      throw Corruption(with_repair_hint(e.what(), path));
    }
    if (!missing.empty()) {
      throw Corruption("store at " + path + " (a '" + impl->kind + "') lacks the column family '" + missing.front() +
                       "' that every '" + impl->kind + "' has");
    }
  } catch (...) {
    if (impl->db) impl->close();
    if (!impl->secondary_dir.empty()) fs::remove_all(impl->secondary_dir);
    throw;
  }

  if (options.access == Access::read_write) {
    detail::writer_registry().insert(registry_key);
    impl->registered_writer = true;
  }
  return std::shared_ptr<Store>(new Store(std::move(impl)));
}

void Store::repair(const std::string& path, const std::vector<FamilySpec>& families) {
  if (!fs::exists(path)) throw NotFound("no store at " + path + " to repair");
  std::lock_guard registry_lock(detail::writer_registry_mutex());
  if (detail::writer_registry().contains(detail::registry_key(path))) {
    throw InvalidArgument("store at " + path + " is open in this process; close it before repairing");
  }
  const auto cache = BlockCache(8 << 20).impl_->cache;
  const auto clock = std::function<std::int64_t()>(system_clock_ms);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           detail::family_options(detail::unknown_family_spec("default"), cache, clock));
  descriptors.emplace_back(
      kManifestFamily,
      detail::family_options(FamilySpec{.name = kManifestFamily, .compression = Compression::none}, cache, clock));
  for (const FamilySpec& spec : families)
    descriptors.emplace_back(spec.name, detail::family_options(spec, cache, clock));
  rocksdb::DBOptions db = db_options(StoreOptions{}, Access::read_write, nullptr);
  db.create_if_missing = false;
  detail::throw_if_error(
      rocksdb::RepairDB(path, db, descriptors, detail::family_options(detail::unknown_family_spec("x"), cache, clock)),
      "repair store at " + path);
}

}  // namespace ragkernel::store
