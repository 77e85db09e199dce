// Names and versions of the dataset-folder format (docs/data-format.md): one place for the
// strings that writers put into files and readers insist on.
#pragma once

#include <cstdint>
#include <string>

namespace imine::schema {

constexpr const char* kUsers = "imine.users";
constexpr int64_t kUsersVersion = 2;  // 2: fixed-length strings
constexpr const char* kCatalog = "imine.catalog";
constexpr int64_t kCatalogVersion = 2;  // 2: fixed-length strings
constexpr const char* kManifest = "imine.manifest";
constexpr int64_t kManifestVersion = 2;  // 2: fixed-length strings

constexpr const char* kCatalogFile = "catalog.h5";
constexpr const char* kManifestFile = "manifest.h5";

// Shard datasets, in the order their contents enter the shard checksum.
constexpr const char* kUserIds = "/users/id";
constexpr const char* kOffsets = "/events/offsets";
constexpr const char* kItems = "/events/item";
constexpr const char* kTypes = "/events/type";
constexpr const char* kTimes = "/events/time";
constexpr const char* kWeights = "/events/weight";
constexpr const char* kAttributes = "/users/attributes";
constexpr const char* kTruthOffsets = "/truth/offsets";
constexpr const char* kTruthCategory = "/truth/category";
constexpr const char* kTruthWeight = "/truth/weight";
constexpr const char* kTruthIsNew = "/truth/is_new";

// "part-00042.h5": zero-padded so that a listing sorts in shard order.
std::string shard_file_name(int64_t shard_index);
// Current time as ISO-8601 UTC ("2024-05-01T12:34:56Z"), for the `created` attribute. It is
// kept out of every checksum so that reruns on the same data compare equal.
std::string utc_timestamp();

}  // namespace imine::schema
