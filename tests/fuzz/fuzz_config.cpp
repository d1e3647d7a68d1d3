// Fuzz target: a config.yaml section mapped onto driver config structs of several shapes.
// Properties: only config::error escapes; a section read successfully writes back as valid JSON
// (the raw_json members, which the reader builds from YAML, included).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/config.hpp>
#include <servokit/json.hpp>
#include <servokit/protocol.hpp>
#include <servokit/text.hpp>

namespace fuzz_shapes {

struct metric_rule {
  BOOST_HANA_DEFINE_STRUCT(metric_rule,
    (std::string, output_regex),
    (std::optional<std::string>, unit));
};

/// Maps, lists, scalars and free-form values, as a batch driver's config has them.
struct job {
  BOOST_HANA_DEFINE_STRUCT(job,
    (std::string, command),
    (std::optional<servokit::ordered_map<metric_rule>>, metrics),
    (std::optional<std::vector<std::string>>, arguments),
    (std::optional<servokit::scalar>, default_value),
    (std::optional<servokit::raw_json>, extra),
    (std::optional<double>, timeout),
    (std::optional<bool>, verbose));
};

/// Every integer width, where range checks matter.
struct numbers {
  BOOST_HANA_DEFINE_STRUCT(numbers,
    (std::optional<std::int64_t>, big),
    (std::optional<std::uint64_t>, unsigned_big),
    (std::optional<int>, count),
    (std::optional<std::uint8_t>, tiny),
    (std::optional<std::vector<std::int16_t>>, shorts),
    (std::optional<std::map<std::string, float>>, weights));
};

/// An adjust driver's config: the application it describes, plus template arguments.
/// (text::format_value has no writer: it is read on its own, as the whole section.)
struct adjust_config {
  BOOST_HANA_DEFINE_STRUCT(adjust_config,
    (servokit::application, application),
    (std::optional<std::map<std::string, servokit::scalar>>, values),
    (std::optional<servokit::measure_control>, control),
    (std::optional<servokit::metric_list>, metrics));
};

}  // namespace fuzz_shapes

namespace {

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

template <class Config>
void read_section(const servokit::config::document& document) {
  Config config;
  try {
    config = document.section<Config>("x");
  } catch (const servokit::config::error&) {
    return;  // refused with a message
  }
  if constexpr (!std::is_same_v<Config, servokit::text::format_value>) {
    const std::string written = servokit::json::to_json(config);
    try {
      (void)servokit::json::read<servokit::raw_json>(written);
    } catch (const servokit::json::read_error& failure) {
      property_failed("a section read from YAML writes as invalid JSON", written + " (" + failure.what() + ")");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<servokit::config::document> document;
  try {
    document = servokit::config::document::parse(text, "config.yaml");
  } catch (const servokit::config::error&) {
    return 0;
  }
  read_section<fuzz_shapes::job>(*document);
  read_section<fuzz_shapes::numbers>(*document);
  read_section<fuzz_shapes::adjust_config>(*document);
  read_section<servokit::text::format_value>(*document);
  read_section<servokit::raw_json>(*document);
  return 0;
}
