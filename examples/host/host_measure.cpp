// servokit-host: a measure driver for the machine it runs on. Over the measurement's duration it
// samples /proc and reports CPU utilization, the load average and the memory available, so a
// servo can optimize a workload that runs on this host without any other measurement system.
//
//   measure --describe app        the metrics below
//   measure app < request         samples every `sample_interval` s for control.duration s
//
// Config (optional), section `host`:  sample_interval: 1   # seconds between samples

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include <servokit/servokit.hpp>

namespace {

struct host_config {
  BOOST_HANA_DEFINE_STRUCT(host_config,
    (std::optional<double>, sample_interval));   // seconds between samples, default 1
};

/// The CPU time counters of the first line of /proc/stat, in clock ticks.
struct cpu_times {
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};

cpu_times read_cpu_times() {
  std::ifstream stat("/proc/stat");
  std::string label;
  stat >> label;
  if (label != "cpu") throw servokit::driver_error("cannot read /proc/stat: no cpu line");
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  if (!stat) throw servokit::driver_error("cannot read /proc/stat: unexpected format");
  const std::uint64_t busy = user + nice + system + irq + softirq + steal;
  return {busy, busy + idle + iowait};
}

double read_load_average() {
  std::ifstream loadavg("/proc/loadavg");
  double one_minute = 0;
  if (!(loadavg >> one_minute)) throw servokit::driver_error("cannot read /proc/loadavg");
  return one_minute;
}

/// MemAvailable from /proc/meminfo, in MiB.
double read_memory_available_mib() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.starts_with("MemAvailable:")) {
      std::istringstream fields(line.substr(13));
      double kib = 0;
      fields >> kib;
      return kib / 1024;
    }
  }
  throw servokit::driver_error("cannot read MemAvailable from /proc/meminfo");
}

struct host_measure {
  static constexpr std::string_view name = "host";
  static constexpr std::string_view version = "1.0.0";
  using config = host_config;

  servokit::metric_descriptors describe(const config&) {
    servokit::metric_descriptors metrics;
    metrics["cpu_utilization"].unit = "percent";
    metrics["load_average"].unit = "processes";
    metrics["memory_available"].unit = "MiB";
    return metrics;
  }

  servokit::measurement measure(const config& cfg, const servokit::measure_request& request,
                                servokit::progress& progress, servokit::stop_token stop) {
    const auto control = request.control_or_default();
    const auto duration = std::chrono::duration<double>(control.duration_seconds() + control.warmup_seconds());
    const auto interval = std::chrono::duration<double>(std::max(0.05, cfg.sample_interval.value_or(1.0)));
    const auto started = std::chrono::steady_clock::now();

    const cpu_times first = read_cpu_times();
    double lowest_memory = read_memory_available_mib();
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    for (;;) {
      const auto elapsed = std::chrono::steady_clock::now() - started;
      if (elapsed >= duration) break;
      const auto next = std::min<std::chrono::duration<double>>(interval, duration - elapsed);
      // Sleeps until the next sample, or returns at once when SIGUSR1 requests the stop.
      if (wake.wait_for(lock, stop, next, [] { return false; }) || stop.stop_requested()) return {};
      lowest_memory = std::min(lowest_memory, read_memory_available_mib());
      const double done = std::chrono::duration<double>(std::chrono::steady_clock::now() - started) / duration;
      progress.report(std::min(99.0, 100 * done), "sampling the host");
    }
    const cpu_times last = read_cpu_times();

    servokit::measurement result;
    const auto wanted = [&](std::string_view metric) {
      const auto& names = request.metric_names();
      return names.empty() || std::find(names.begin(), names.end(), metric) != names.end();
    };
    if (wanted("cpu_utilization")) {
      const double total = static_cast<double>(last.total - first.total);
      const double busy = static_cast<double>(last.busy - first.busy);
      result.metrics["cpu_utilization"] = {servokit::scalar{total > 0 ? 100 * busy / total : 0.0}, "percent", {}};
    }
    if (wanted("load_average")) result.metrics["load_average"] = {servokit::scalar{read_load_average()}, "processes", {}};
    if (wanted("memory_available")) result.metrics["memory_available"] = {servokit::scalar{lowest_memory}, "MiB", {}};
    return result;
  }
};

}  // namespace

int main(int argc, char** argv) { return servokit::run<host_measure>(argc, argv); }
