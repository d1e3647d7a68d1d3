#pragma once
// A throwaway PostgreSQL server for tests: a cluster made with Debian's initdb in a temporary
// directory, started with pg_ctl on 127.0.0.1 (and a unix socket in that directory) and stopped,
// its files removed, when the test program ends. As root (CI) the server runs as `nobody` through
// runuser: PostgreSQL refuses to run as root. Without the binaries, tests skip with a message;
// under CI ($CI=true) they fail instead, so a CI run never passes by skipping.

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <servokit/backend/postgres.hpp>

namespace servokit_test {

/// One PostgreSQL server for the whole test program; see `postgres_cluster::shared()`.
class postgres_cluster {
 public:
  /// The directory with initdb and pg_ctl: $SERVOKIT_POSTGRES_BIN, else the newest
  /// /usr/lib/postgresql/<version>/bin; empty when there is none.
  static std::filesystem::path binaries() {
    if (const char* given = std::getenv("SERVOKIT_POSTGRES_BIN"); given && *given) return given;
    std::filesystem::path found;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ignored)) {
      const auto bin = entry.path() / "bin";
      if (std::filesystem::exists(bin / "initdb") && std::filesystem::exists(bin / "pg_ctl") && bin > found) found = bin;
    }
    return found;
  }

  /// Why PostgreSQL tests cannot run here, or empty when they can.
  static std::string missing_reason() {
    if (binaries().empty()) {
      return "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb; install Debian's postgresql "
             "package, or set SERVOKIT_POSTGRES_BIN)";
    }
    return {};
  }

  /// Whether the tests run under CI, where a missing server is a failure rather than a skip.
  static bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
  }

  /// The program's server, started at the first call; nullptr (after a message on stderr) when the
  /// binaries are absent outside CI. Throws when it cannot be started, or is absent under CI.
  static postgres_cluster* shared() {
    static std::unique_ptr<postgres_cluster> cluster = [] {
      const std::string reason = missing_reason();
      if (!reason.empty()) {
        if (in_ci()) throw std::runtime_error("CI=true and " + reason);
        std::fprintf(stderr, "SKIPPED: PostgreSQL tests: %s\n", reason.c_str());
        return std::unique_ptr<postgres_cluster>();
      }
      return std::make_unique<postgres_cluster>(binaries());
    }();
    return cluster.get();
  }

  /// Makes and starts a cluster with the programs in `bin`.
  explicit postgres_cluster(std::filesystem::path bin) : bin_(std::move(bin)) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/servokit-postgres-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for the PostgreSQL cluster");
    directory_ = pattern;
    if (::geteuid() == 0) {
      const passwd* nobody = ::getpwnam("nobody");
      if (!nobody) throw std::runtime_error("running as root, and there is no user \"nobody\" to run PostgreSQL as");
      if (::chown(directory_.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
        throw std::runtime_error("cannot chown " + directory_.string() + " to nobody");
      }
      run_as_ = "nobody";
    }
    try {
      run({(bin_ / "initdb").string(), "-D", (directory_ / "data").string(), "-U", "servokit", "-A", "trust", "-E",
           "UTF8", "--no-sync", "--no-instructions"},
          "initdb.log");
      port_ = free_port();
      // fsync off: the tests check what a killed *process* leaves, not a power cut; max_connections
      // leaves room for several replicas' pools.
      run({(bin_ / "pg_ctl").string(), "-D", (directory_ / "data").string(), "-l", (directory_ / "server.log").string(),
           "-w", "-t", "120", "-o",
           "-h 127.0.0.1 -p " + std::to_string(port_) + " -k " + directory_.string() +
               " -c fsync=off -c max_connections=300",
           "start"},
          "pg_ctl-start.log");
      started_ = true;
    } catch (...) {
      remove_directory();
      throw;
    }
  }
  postgres_cluster(const postgres_cluster&) = delete;
  postgres_cluster& operator=(const postgres_cluster&) = delete;
  ~postgres_cluster() {
    if (started_) {
      try {
        run({(bin_ / "pg_ctl").string(), "-D", (directory_ / "data").string(), "-m", "immediate", "-w", "stop"},
            "pg_ctl-stop.log");
      } catch (...) {  // the directory goes anyway
      }
    }
    remove_directory();
  }

  /// The server's TCP port on 127.0.0.1.
  int port() const { return port_; }
  /// A libpq URI for `database` on this server, as user servokit (trust authentication).
  std::string uri(const std::string& database = "postgres") const {
    return "postgresql://servokit@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }
  /// Creates a fresh, empty database and returns its URI: one per test, so tests do not meet.
  std::string fresh_database() {
    const std::string name = "test_" + std::to_string(++databases_);
    servokit::backend::postgres_connection admin(uri());
    admin.execute("CREATE DATABASE " + name);
    return uri(name);
  }
  /// The server's log, for a failure message.
  std::string log() const { return read(directory_ / "server.log"); }

 private:
  static std::string read(const std::filesystem::path& file) {
    std::ifstream input(file);
    std::stringstream text;
    text << input.rdbuf();
    return text.str();
  }

  /// A port that was free a moment ago on 127.0.0.1.
  static int free_port() {
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (probe < 0 || ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      if (probe >= 0) ::close(probe);
      throw std::runtime_error("cannot find a free port on 127.0.0.1");
    }
    ::close(probe);
    return ntohs(address.sin_port);
  }

  /// Runs `argv` (as `nobody` when root) with its output in `log_name`; throws with that output
  /// when it fails.
  void run(std::vector<std::string> argv, const std::string& log_name) {
    if (!run_as_.empty()) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", run_as_, "--"});
    const auto log_file = directory_.parent_path() / (directory_.filename().string() + "-" + log_name);
    std::vector<char*> arguments;
    for (auto& argument : argv) arguments.push_back(argument.data());
    arguments.push_back(nullptr);
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
      const int output = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(output, 1);
      ::dup2(output, 2);
      ::execv(arguments[0], arguments.data());
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    const std::string output = read(log_file);
    std::filesystem::remove(log_file);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error(argv[run_as_.empty() ? 0 : 4] + " failed (status " + std::to_string(status) + "): " + output);
    }
  }

  void remove_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  std::filesystem::path bin_;
  std::filesystem::path directory_;
  std::string run_as_;
  int port_ = 0;
  int databases_ = 0;
  bool started_ = false;
};

}  // namespace servokit_test
