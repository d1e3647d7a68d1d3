// bench-servo_backend: a loopback Optune backend that answers at once (cpp-httplib), and the
// clock for bench/servo.sh. It starts the agent itself, so it sees both ends:
//
//   bench-servo_backend hello RUNS DIR AGENT [ARGS...]
//       RUNS times: start the agent in DIR, time the start to the arrival of HELLO, answer the
//       first WHATS_NEXT with SLEEP and stop the agent with SIGTERM (GOODBYE; both the original
//       and servokit-servo exit on it).
//   bench-servo_backend cycles N DIR AGENT [ARGS...]
//       N cycles of DESCRIBE, ADJUST, MEASURE; the time of each cycle and operation, the agent's
//       RSS and open fds after cycle 10 and after the last, and its peak RSS. Up to 1000 cycles,
//       every 10 cycles the agent waits for its WHATS_NEXT reply while its drivers run alone 10
//       times: floor and cycles measured under the same load, the wait left out of the cycle.
//   bench-servo_backend drivers RUNS DIR
//       the drivers' own run time for one cycle, as the agent runs them (the floor of a cycle).
//   bench-servo_backend exchange RUNS DIR
//       one event posted with servokit's HTTP client to this backend, RUNS times on one kept-alive
//       connection: what each of the 10 exchanges of a cycle costs at the least.
//
// The agent is given `--url http://127.0.0.1:PORT/servo --no-auth app` after ARGS, or the URL
// in place of an argument `{url}` (so that curl itself can be the floor of "start to HELLO").
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <servokit/http/client.hpp>
#include <servokit/process.hpp>

namespace {

namespace process = servokit::process;
using clock_type = std::chrono::steady_clock;

double ms(clock_type::duration elapsed) { return std::chrono::duration<double, std::milli>(elapsed).count(); }

struct stats {
  double median, mean, min, max;
};
stats summarize(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size()),
          values.front(), values.back()};
}
void print(const char* name, const stats& s) {
  std::printf("%-34s median %8.3f ms  mean %8.3f  min %8.3f  max %8.3f\n", name, s.median, s.mean, s.min, s.max);
}

/// A value of /proc/PID/status in KiB ("VmRSS", "VmHWM").
long status_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}
long open_fds(pid_t pid) {
  long count = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

/// What the backend has seen; shared between the server's threads and main.
struct backend_state {
  std::mutex mutex;
  std::condition_variable changed;
  clock_type::time_point hello_at{};
  int whats_next = 0;             // WHATS_NEXT received
  int cycles_wanted = 0;          // cycles mode: DESCRIBE+ADJUST+MEASURE this many times
  std::vector<clock_type::time_point> whats_next_at;
  std::vector<clock_type::duration> held;        // per WHATS_NEXT: how long it waited for the floor runs
  int interleave_every = 0;       // cycles mode: every this many cycles, the drivers run alone
  bool floor_wanted = false;      // a WHATS_NEXT waits while main runs the drivers alone
  std::vector<double> floor_ms;   // the drivers of one cycle alone, interleaved with the agent's cycles
  std::vector<clock_type::time_point> result_at;  // DESCRIPTION/ADJUSTMENT/MEASUREMENT results
  bool sleeping = false;          // SLEEP sent: main may stop the agent
  pid_t agent = 0;
  long rss_at_10 = -1, fds_at_10 = -1, rss_at_end = -1, fds_at_end = -1, peak = -1, private_at_end = -1;
  long rss_at_hello = -1, private_at_hello = -1;  // RSS, and of it the agent's own (RssAnon) memory
};

std::string command_for(int index, int cycles) {
  if (index >= 3 * cycles) return R"({"cmd": "SLEEP", "param": {"duration": 3600}})";
  switch (index % 3) {
    case 0: return R"({"cmd": "DESCRIBE", "cmd_uid": "d", "param": {}})";
    case 1:
      return std::string(R"({"cmd": "ADJUST", "cmd_uid": "a", "param": {"state": {"application": {"components": {"web": {"settings": {"cpu": {"value": )") +
             std::to_string(1 + index % 8) + R"(}}}}}}, "control": {}}})";
    default: return R"({"cmd": "MEASURE", "cmd_uid": "m", "param": {"metrics": ["total_runtime"], "control": {"duration": 0}}})";
  }
}

void serve(httplib::Server& server, backend_state& state) {
  server.Post("/servo", [&state](const httplib::Request& request, httplib::Response& response) {
    const std::string& body = request.body;
    const auto now = clock_type::now();
    std::string answer = R"({"status": "ok"})";
    {
      std::unique_lock lock(state.mutex);
      if (body.find(R"("event":"HELLO")") != std::string::npos || body.find(R"("event": "HELLO")") != std::string::npos) {
        state.hello_at = now;
        state.rss_at_hello = status_kib(state.agent, "VmRSS");
        state.private_at_hello = status_kib(state.agent, "RssAnon");
      } else if (body.find("WHATS_NEXT") != std::string::npos) {
        state.whats_next_at.push_back(now);
        const int index = state.whats_next;
        state.held.emplace_back();
        if (state.interleave_every > 0 && index > 0 && index % (3 * state.interleave_every) == 0 &&
            index < 3 * state.cycles_wanted) {
          // The same load for both: the drivers run alone now, while the agent waits for its reply.
          state.floor_wanted = true;
          state.changed.notify_all();
          state.changed.wait(lock, [&] { return !state.floor_wanted; });
          state.held.back() = clock_type::now() - now;
        }
        answer = command_for(state.whats_next++, state.cycles_wanted);
        if (state.whats_next > 3 * state.cycles_wanted) {
          state.rss_at_end = status_kib(state.agent, "VmRSS");
          state.fds_at_end = open_fds(state.agent);
          state.peak = status_kib(state.agent, "VmHWM");
          state.private_at_end = status_kib(state.agent, "RssAnon");
          state.sleeping = true;
        }
      } else if (body.find("\"progress\"") == std::string::npos && body.find("GOODBYE") == std::string::npos) {
        state.result_at.push_back(now);
        if (state.result_at.size() == 30) {  // after cycle 10
          state.rss_at_10 = status_kib(state.agent, "VmRSS");
          state.fds_at_10 = open_fds(state.agent);
        }
      }
    }
    state.changed.notify_all();
    response.set_content(answer, "application/json");
  });
}

/// The six driver runs of one cycle, as the agent starts them (argv, no shell, request on stdin);
/// their wall time in ms, or -1 when one failed.
double drivers_of_one_cycle(const std::string& dir) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> runs = {
      {{"./adjust", "--query", "app"}, ""},
      {{"./measure", "--describe", "app"}, ""},
      {{"./adjust", "--info", "app"}, ""},
      {{"./adjust", "app"}, R"({"application":{"components":{"web":{"settings":{"cpu":{"value":3}}}}},"control":{}})"},
      {{"./measure", "--info", "app"}, ""},
      {{"./measure", "app"}, R"({"metrics":["total_runtime"],"control":{"duration":0}})"}};
  const auto started = clock_type::now();
  for (const auto& [argv_list, input] : runs) {
    process::child_options options;
    options.in.data = input;
    auto done = process::run(process::command(argv_list).in_directory(dir), std::move(options));
    if (!done.ok()) {
      std::fprintf(stderr, "%s failed: %s\n", argv_list[0].c_str(), done.describe().c_str());
      return -1;
    }
  }
  return ms(clock_type::now() - started);
}

/// Runs the agent once against `state`'s server; returns when it has exited. `{url}` in its
/// arguments is replaced by the endpoint; without one, `--url ENDPOINT --no-auth app` is added.
void run_agent(backend_state& state, int port, const std::string& dir, const std::vector<std::string>& agent, clock_type::time_point& started) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/servo";
  process::command command(agent);
  bool placed = false;
  for (std::string& argument : command.argv) {
    if (argument == "{url}") argument = url, placed = true;
  }
  if (!placed) command.argv.insert(command.argv.end(), {"--url", url, "--no-auth", "app"});
  command.in_directory(dir);
  process::child_options options;
  options.out.target = process::stream_target::null;
  options.err.target = process::stream_target::null;
  process::event_loop loop;
  started = clock_type::now();
  process::child running(loop, command, std::move(options));
  {
    const std::lock_guard lock(state.mutex);
    state.agent = running.pid();
  }
  // Until the agent sleeps (then SIGTERM: GOODBYE) or ends on its own (a plain HTTP client as floor).
  const auto sleeping = [&] {
    const std::lock_guard lock(state.mutex);
    return state.sleeping;
  };
  while (!running.finished() && !sleeping()) {
    loop.run_once(std::chrono::milliseconds(2));
    std::unique_lock lock(state.mutex);
    if (!state.floor_wanted) continue;
    const int rounds = state.interleave_every;
    lock.unlock();
    std::vector<double> took;
    for (int round = 0; round < rounds; ++round) took.push_back(drivers_of_one_cycle(dir));
    lock.lock();
    state.floor_ms.insert(state.floor_ms.end(), took.begin(), took.end());
    state.floor_wanted = false;
    lock.unlock();
    state.changed.notify_all();
  }
  running.signal(SIGTERM);  // to the group: the original python agent and its children alike
  running.wait();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s hello RUNS DIR AGENT [ARGS...] | cycles N DIR AGENT [ARGS...] | drivers RUNS DIR\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  const int count = std::stoi(argv[2]);
  const std::string dir = argv[3];

  if (mode == "drivers") {
    std::vector<double> totals;
    for (int run = 0; run < count; ++run) {
      const double took = drivers_of_one_cycle(dir);
      if (took < 0) return 1;
      totals.push_back(took);
    }
    print("drivers of one cycle (6 runs)", summarize(totals));
    return 0;
  }

  const std::vector<std::string> agent(argv + 4, argv + argc);
  httplib::Server server;
  backend_state state;
  server.set_tcp_nodelay(true);  // no Nagle delay between the headers and the body of a reply
  serve(server, state);
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread listener([&] { server.listen_after_bind(); });

  if (mode == "hello") {
    std::vector<double> to_hello, rss, private_rss;
    for (int run = 0; run < count; ++run) {
      {
        const std::lock_guard lock(state.mutex);
        state.whats_next = 0;
        state.sleeping = false;
        state.whats_next_at.clear();
        state.result_at.clear();
      }
      clock_type::time_point started;
      run_agent(state, port, dir, agent, started);
      to_hello.push_back(ms(state.hello_at - started));
      rss.push_back(static_cast<double>(state.rss_at_hello));
      private_rss.push_back(static_cast<double>(state.private_at_hello));
    }
    print("start to HELLO", summarize(to_hello));
    std::printf("RSS at HELLO: median %.0f KiB, of it private (RssAnon) %.0f KiB\n", summarize(rss).median,
                summarize(private_rss).median);
  } else if (mode == "exchange") {
    servokit::http::client http;
    servokit::http::request hello;
    hello.method = "POST";
    hello.url = "http://127.0.0.1:" + std::to_string(port) + "/servo";
    hello.headers.emplace_back("Content-Type", "application/json");
    hello.body = R"({"event":"HELLO","param":{"agent":"bench"}})";
    std::vector<double> took;
    for (int run = 0; run < count; ++run) {
      const auto started = clock_type::now();
      if (http.perform(hello).status != 200) return 1;
      took.push_back(ms(clock_type::now() - started));
    }
    print("one exchange (HTTP client, backend)", summarize(took));
  } else if (mode == "cycles") {
    state.cycles_wanted = count;
    state.interleave_every = count <= 1000 ? 10 : 0;  // long runs are for memory, not time
    clock_type::time_point started;
    run_agent(state, port, dir, agent, started);
    std::vector<double> cycle, describe, adjust, measure;
    for (int k = 0; k + 3 < static_cast<int>(state.whats_next_at.size()); k += 3) {
      cycle.push_back(ms(state.whats_next_at[k + 3] - state.whats_next_at[k] - state.held[k]));
    }
    for (std::size_t k = 0; k < state.result_at.size(); ++k) {
      const double took = ms(state.result_at[k] - state.whats_next_at[k] - state.held[k]);
      (k % 3 == 0 ? describe : k % 3 == 1 ? adjust : measure).push_back(took);
    }
    if (!state.floor_ms.empty()) print("drivers alone, interleaved (x6)", summarize(state.floor_ms));
    print("cycle (WHATS_NEXT to WHATS_NEXT x3)", summarize(cycle));
    print("  DESCRIBE to DESCRIPTION", summarize(describe));
    print("  ADJUST to ADJUSTMENT", summarize(adjust));
    print("  MEASURE to MEASUREMENT", summarize(measure));
    std::printf("agent RSS after cycle 10: %ld KiB, after cycle %d: %ld KiB; peak %ld KiB, private (RssAnon) at the end %ld KiB\n",
                state.rss_at_10, count, state.rss_at_end, state.peak, state.private_at_end);
    std::printf("agent open fds after cycle 10: %ld, after cycle %d: %ld\n", state.fds_at_10, count, state.fds_at_end);
  }
  server.stop();
  listener.join();
  return 0;
}
