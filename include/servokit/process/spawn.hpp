#pragma once
/// \file
/// Starting a process: posix_spawn into its own process group, with a clean signal state, only
/// fds 0, 1 and 2 open, and the requested working directory and environment. Low level: `child`
/// builds on it and is what programs normally use.

#include <servokit/process/command.hpp>
#include <servokit/process/error.hpp>
#include <servokit/process/fd.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <vector>

namespace servokit::process {

/// Where one of the child's standard streams is connected.
enum class stream_target {
  pipe,     ///< A pipe to this process (the default: fed, read, captured).
  null,     ///< /dev/null.
  inherit,  ///< The same file as this process's own stream.
};

/// The three standard streams of a child to be started.
struct stdio_targets {
  stream_target in = stream_target::pipe;   ///< stdin.
  stream_target out = stream_target::pipe;  ///< stdout.
  stream_target err = stream_target::pipe;  ///< stderr.
};

/// A process just started: its pid, which is also its process group id, and this process's ends
/// of its pipes (non-blocking, close-on-exec; empty for streams that are not piped).
struct spawned_process {
  pid_t pid = -1;        ///< Process id and process group id.
  unique_fd pidfd;       ///< Readable once the process has ended; empty if the kernel lacks pidfd_open.
  unique_fd stdin_pipe;  ///< Write end of the child's stdin.
  unique_fd stdout_pipe; ///< Read end of the child's stdout.
  unique_fd stderr_pipe; ///< Read end of the child's stderr.
};

namespace detail {

/// Whether `spawn` asks for a pidfd. Only tests turn it off, to exercise the polling that serves
/// kernels without pidfd_open (before 5.3, or behind a seccomp filter that refuses it).
inline std::atomic<bool> pidfd_wanted{true};

/// pidfd_open(2) by its system call: glibc 2.36's <sys/pidfd.h> lacks extern "C" and older
/// glibcs lack the wrapper. Returns -1 with errno set where the kernel does not have it.
inline int open_pidfd(pid_t pid) noexcept {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

/// Frees posix_spawn's attribute and file-action objects on every path out.
struct spawn_attributes {
  posix_spawnattr_t attributes{};
  posix_spawn_file_actions_t actions{};
  spawn_attributes() {
    if (int error = ::posix_spawnattr_init(&attributes); error != 0) {
      throw process_error(error, "posix_spawnattr_init failed");
    }
    if (int error = ::posix_spawn_file_actions_init(&actions); error != 0) {
      ::posix_spawnattr_destroy(&attributes);
      throw process_error(error, "posix_spawn_file_actions_init failed");
    }
  }
  spawn_attributes(const spawn_attributes&) = delete;
  spawn_attributes& operator=(const spawn_attributes&) = delete;
  ~spawn_attributes() {
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attributes);
  }
};

inline void check_spawn_setup(int error) {
  if (error != 0) throw process_error(error, "cannot prepare posix_spawn");
}

inline std::string spawn_context(const command& cmd) {
  std::string context = "cannot start '" + std::string(cmd.program()) + "'";
  if (cmd.working_directory) context += " (in directory '" + cmd.working_directory->string() + "')";
  return context;
}

/// Connects the child's `target_fd` per `target`; returns this process's end of a pipe, if any.
inline unique_fd plan_stream(spawn_attributes& spawn, stream_target target, int target_fd,
                             unique_fd& child_end_keeper) {
  switch (target) {
    case stream_target::inherit:
      return {};
    case stream_target::null:
      check_spawn_setup(::posix_spawn_file_actions_addopen(&spawn.actions, target_fd, "/dev/null",
                                                           target_fd == 0 ? O_RDONLY : O_WRONLY, 0));
      return {};
    case stream_target::pipe:
      break;
  }
  pipe_ends ends = make_pipe();
  const bool child_reads = target_fd == 0;
  unique_fd& child_end = child_reads ? ends.read_end : ends.write_end;
  unique_fd& parent_end = child_reads ? ends.write_end : ends.read_end;
  // dup2 onto 0/1/2 clears close-on-exec on the copy only; the originals (>= 3) close at exec.
  check_spawn_setup(::posix_spawn_file_actions_adddup2(&spawn.actions, child_end.get(), target_fd));
  set_nonblocking(parent_end.get());
  child_end_keeper = std::move(child_end);
  return std::move(parent_end);
}

}  // namespace detail

/// Starts `cmd` with its streams connected per `stdio`. The child:
/// - leads a new process group (so signalling the group reaches everything it starts);
/// - starts with no signal blocked and every signal at its default action (a SIGPIPE or SIGINT
///   ignored, or signals blocked for a signalfd, in this process must not leak into children);
/// - has only fds 0, 1, 2 open (every other fd is closed, even ones opened without O_CLOEXEC).
/// Throws `spawn_error` when the program cannot be started (its message names the program and the
/// errno text); nothing is left behind then. The caller owns the pid and must reap it.
inline spawned_process spawn(const command& cmd, const stdio_targets& stdio = {}) {
  const std::string context = detail::spawn_context(cmd);
  if (cmd.argv.empty()) throw spawn_error("", EINVAL, "cannot start an empty command");

  const std::optional<std::string> search_path = cmd.env.get("PATH");
  int search_error = 0;
  const std::string program_path = find_program(cmd.program(), search_path ? *search_path : "/bin:/usr/bin",
                                                cmd.working_directory, search_error);
  if (search_error != 0) throw spawn_error(std::string(cmd.program()), search_error, context);

  std::vector<char*> arguments;
  arguments.reserve(cmd.argv.size() + 1);
  for (const std::string& argument : cmd.argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  const std::vector<std::string> variables = cmd.env.entries();
  std::vector<char*> environment_block;
  environment_block.reserve(variables.size() + 1);
  for (const std::string& variable : variables) environment_block.push_back(const_cast<char*>(variable.c_str()));
  environment_block.push_back(nullptr);

  detail::spawn_attributes spawn;
  spawned_process result;
  unique_fd child_stdin, child_stdout, child_stderr;
  result.stdin_pipe = detail::plan_stream(spawn, stdio.in, 0, child_stdin);
  result.stdout_pipe = detail::plan_stream(spawn, stdio.out, 1, child_stdout);
  result.stderr_pipe = detail::plan_stream(spawn, stdio.err, 2, child_stderr);
  if (cmd.working_directory) {
    detail::check_spawn_setup(
        ::posix_spawn_file_actions_addchdir_np(&spawn.actions, cmd.working_directory->c_str()));
  }
  detail::check_spawn_setup(::posix_spawn_file_actions_addclosefrom_np(&spawn.actions, 3));

  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigdelset(&all_signals, SIGKILL);
  sigdelset(&all_signals, SIGSTOP);
  detail::check_spawn_setup(::posix_spawnattr_setflags(
      &spawn.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  detail::check_spawn_setup(::posix_spawnattr_setpgroup(&spawn.attributes, 0));
  detail::check_spawn_setup(::posix_spawnattr_setsigmask(&spawn.attributes, &no_signals));
  detail::check_spawn_setup(::posix_spawnattr_setsigdefault(&spawn.attributes, &all_signals));

  // glibc's posix_spawn runs the file actions and execve in a vfork-like child and returns their
  // errno here, so a missing program or directory is an error, not a child exiting with 127.
  const int error = ::posix_spawn(&result.pid, program_path.c_str(), &spawn.actions, &spawn.attributes,
                                  arguments.data(), environment_block.data());
  if (error != 0) throw spawn_error(std::string(cmd.program()), error, context);

  // pidfd_open cannot race with reuse of the pid: the child stays a zombie until we reap it.
  // Kernels older than 5.3 (or seccomp filters) refuse it; `child` then polls instead.
  if (detail::pidfd_wanted.load(std::memory_order_relaxed)) result.pidfd.reset(detail::open_pidfd(result.pid));
  return result;
}

}  // namespace servokit::process
