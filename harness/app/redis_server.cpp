#include "harness/app/redis_server.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "harness/transport/node_client.hpp"
#include "harness/util/process.hpp"

namespace lh::app {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kDirPrefix = "lh-redis-";
constexpr const char* kOwnerFile = "owner.pid";
constexpr auto kLegacyAge = std::chrono::hours(1);

// Field 22 of /proc/PID/stat: the process's start time in clock ticks since boot; 0 when unreadable. With the
// pid it identifies a process even after its pid is reused.
unsigned long long process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 1));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i)
    if (i == 22) return std::strtoull(f.c_str(), nullptr, 10);
  return 0;
}

bool is_our_dir_name(std::string_view name) {
  if (!name.starts_with(kDirPrefix) || name.size() != kDirPrefix.size() + 6)
    return false;  // mkdtemp's XXXXXX
  for (char c : name.substr(kDirPrefix.size()))
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

// Removes `name` under the directory `parent`: a directory's entries first, without following any symlink (a
// symlink is unlinked itself, never its target).
bool remove_tree_at(int parent, const char* name) {
  const int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return (errno == ENOTDIR || errno == ELOOP) && ::unlinkat(parent, name, 0) == 0;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return false;
  }
  bool ok = true;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    ok = remove_tree_at(::dirfd(d), e->d_name) && ok;
  }
  ::closedir(d);
  return ok && ::unlinkat(parent, name, AT_REMOVEDIR) == 0;
}

enum class Owner { alive, dead, unknown };

// owner.pid holds "PID STARTTIME\n". A live pid with another start time is a reused pid: the owner is dead.
Owner owner_state(int dir_fd) {
  const int fd = ::openat(dir_fd, kOwnerFile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Owner::unknown : Owner::alive;  // unreadable: leave it alone
  char buf[64] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  long long pid = 0;
  unsigned long long start = 0;
  char nl = 0;
  if (n <= 0 || std::sscanf(buf, "%lld %llu%c", &pid, &start, &nl) != 3 || nl != '\n' || pid <= 0 ||
      pid > INT32_MAX)
    return Owner::alive;  // not a file we wrote: leave the directory alone
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return Owner::dead;
  const unsigned long long now_start = process_start_time(static_cast<pid_t>(pid));
  return start != 0 && now_start != 0 && now_start != start ? Owner::dead : Owner::alive;
}

// Some process has `dir` as its working directory (redis-server chdirs to its --dir). Conservative: true when
// /proc cannot be read.
bool some_process_works_in(const std::string& dir) {
  std::error_code ec;
  const fs::path want = fs::canonical(dir, ec);
  if (ec) return true;
  DIR* proc = ::opendir("/proc");
  if (!proc) return true;
  bool found = false;
  while (const dirent* e = ::readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    char link[PATH_MAX];
    const std::string cwd = std::string("/proc/") + e->d_name + "/cwd";
    const ssize_t n = ::readlink(cwd.c_str(), link, sizeof link - 1);
    if (n > 0 && want == std::string_view(link, static_cast<size_t>(n))) {
      found = true;
      break;
    }
  }
  ::closedir(proc);
  return found;
}

// A directory from a harness that predates owner.pid: ours only if it looks exactly like one (a redis.log and
// plain files only), and stale only if nothing in it changed for an hour and no process works in it.
bool legacy_dir_is_stale(int dir_fd, const struct stat& dir_st, const std::string& path) {
  const int fd = ::dup(dir_fd);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return false;
  }
  const auto cutoff = std::chrono::system_clock::now() - kLegacyAge;
  auto old = [&](const struct stat& st) {
    return std::chrono::system_clock::from_time_t(st.st_mtim.tv_sec) < cutoff;
  };
  bool has_log = false, plain = true;
  bool stale = old(dir_st);
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
      plain = false;
      break;
    }
    has_log |= std::strcmp(e->d_name, "redis.log") == 0;
    stale = stale && old(st);
  }
  ::closedir(d);
  return has_log && plain && stale && !some_process_works_in(path);
}

std::string make_temp_dir() {
  const std::string base = temp_base();
  remove_stale_temp_dirs(base);
  std::string tmpl = base + "/lh-redis-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw EmbeddedError("mkdtemp(" + tmpl + "): " + std::strerror(errno));
  // Who owns it, so that a later launch can tell it from a live run's once this process is killed.
  const std::string owner =
      std::to_string(::getpid()) + " " + std::to_string(process_start_time(::getpid())) + "\n";
  const std::string owner_path = tmpl + "/" + kOwnerFile;
  const int fd = ::open(owner_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  const bool written =
      fd >= 0 && ::write(fd, owner.data(), owner.size()) == static_cast<ssize_t>(owner.size());
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (!written) {
    std::error_code ec;
    fs::remove_all(tmpl, ec);
    throw EmbeddedError("cannot write " + owner_path + ": " + std::strerror(err));
  }
  return tmpl;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The line that explains a failed start, without the "pid:role date time #" prefix: a config error is reported
// as ">>> 'directive args'" followed by the reason, so keep both; otherwise the log's last line.
std::string startup_error(const std::string& log) {
  static const std::regex prefix(R"(^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] )");
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string l; std::getline(in, l);)
    if (l.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(std::regex_replace(l, prefix, ""));
  if (lines.empty()) return "";
  std::string out;
  if (lines.size() >= 2 && lines[lines.size() - 2].starts_with(">>> ")) {
    out = lines[lines.size() - 2];
    out += ": ";
  }
  out += lines.back();
  return out;
}

// Never destroyed: a server may outlive static destruction order (a static fixture, an exit() path).
std::mutex& registry_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::set<RedisServer::Process*>& registry() {
  static auto* r = new std::set<RedisServer::Process*>;
  return *r;
}

}  // namespace

struct RedisServer::Process {
  std::mutex m;
  pid_t pid = -1;
  bool reaped = true;
  int port = 0;
  int bus_port = 0;
  std::string host = "127.0.0.1";
  std::string dir;
  std::string log_path;
  std::string password;
  bool dir_removed = false;

  bool try_reap_locked() {
    if (reaped) return true;
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) reaped = true;
    return reaped;
  }

  void signal_locked(int sig) {
    // The server leads its own process group: the group also reaches fork children (RDB transfer to replicas).
    if (!reaped) ::kill(-pid, sig);
  }

  void stop() {
    std::lock_guard lock(m);
    if (!reaped) {
      signal_locked(SIGTERM);
      const auto deadline = Clock::now() + 5s;
      while (!try_reap_locked() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
      if (!reaped) {
        signal_locked(SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        reaped = true;
      }
      ::kill(-pid, SIGKILL);  // stragglers of the group, if any (ESRCH otherwise)
    }
    if (!dir.empty() && !dir_removed) {
      std::error_code ec;
      fs::remove_all(dir, ec);
      dir_removed = true;
    }
  }
};

RedisServerBinary locate_redis_server(const std::string& wanted) {
  if (wanted.find('/') == std::string::npos) {  // a bare name (or none) is looked up in PATH
    std::string found = find_in_path(wanted.empty() ? "redis-server" : wanted);
    return {found, found.empty() ? "not found in PATH" : ""};
  }
  struct stat st {};
  if (::stat(wanted.c_str(), &st) != 0) return {"", std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return {"", "is a directory, not the redis-server binary"};
  if (!S_ISREG(st.st_mode)) return {"", "not a regular file"};
  if (::access(wanted.c_str(), X_OK) != 0) return {"", "not executable"};
  return {wanted, ""};
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw EmbeddedError(std::string("socket(): ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    throw EmbeddedError("cannot find a free loopback port: " + err);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string temp_base() {
  const char* base = std::getenv("TMPDIR");
  return base && *base ? base : "/tmp";
}

int remove_stale_temp_dirs(const std::string& base) {
  const int base_fd = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (base_fd < 0) return 0;
  DIR* d = ::fdopendir(base_fd);
  if (!d) {
    ::close(base_fd);
    return 0;
  }
  // Names first, removal after: the directory is not changed while it is being read.
  std::vector<std::string> stale;
  while (const dirent* e = ::readdir(d)) {
    if (!is_our_dir_name(e->d_name)) continue;
    const int fd = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;  // a symlink, a file, or not ours to read
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_uid == ::geteuid()) {
      const Owner owner = owner_state(fd);
      if (owner == Owner::dead ||
          (owner == Owner::unknown && legacy_dir_is_stale(fd, st, base + "/" + e->d_name)))
        stale.emplace_back(e->d_name);
    }
    ::close(fd);
  }
  int removed = 0;
  for (const auto& name : stale) removed += remove_tree_at(::dirfd(d), name.c_str()) ? 1 : 0;
  ::closedir(d);
  return removed;
}

RedisServer::RedisServer(ServerOptions options) : p_(std::make_unique<Process>()) {
  // An explicit path that does not work is an error, not a silent fallback to another redis-server.
  const std::string& wanted = options.redis_server;
  const std::string binary = locate_redis_server(wanted).path;
  if (binary.empty() && !wanted.empty())
    throw EmbeddedError("redis-server '" + wanted + "' is not an executable file (nor found in PATH)");
  if (binary.empty())
    throw EmbeddedError(
        "redis-server not found in PATH: install it (apt-get install redis-server) or pass --redis-server PATH");
  for (size_t i = 0; i + 1 < options.extra_args.size(); ++i)
    if (options.extra_args[i] == "--requirepass") p_->password = options.extra_args[i + 1];

  p_->dir = make_temp_dir();
  p_->log_path = p_->dir + "/redis.log";
  {
    std::lock_guard lock(registry_mutex());
    registry().insert(p_.get());
  }
  try {
    for (int attempt = 1;; ++attempt) {
      p_->port = free_loopback_port();
      // An explicit cluster bus port: the default port+10000 may be taken or above 65535.
      p_->bus_port = options.cluster ? free_loopback_port() : 0;
      if (p_->bus_port == p_->port) continue;

      // clang-format off
      std::vector<std::string> args = {binary, "--bind", "127.0.0.1", "--port", std::to_string(p_->port),
                                       "--save", "", "--appendonly", "no", "--daemonize", "no",
                                       "--dir", p_->dir, "--logfile", p_->log_path, "--protected-mode", "no"};
      // clang-format on
      if (options.cluster)
        args.insert(args.end(),
                    {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                     "--cluster-node-timeout", "2000", "--cluster-port", std::to_string(p_->bus_port),
                     // else a node that has met no peer yet reports its own address as ":port"
                     "--cluster-announce-ip", "127.0.0.1"});
      args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

      LaunchSpec spec;
      spec.argv = std::move(args);
      spec.stdout_path = spec.stderr_path = p_->log_path;
      // Out of the terminal's group: Ctrl-C reaches the harness, which stops us in order.
      spec.own_process_group = true;
      {
        std::lock_guard lock(p_->m);
        try {
          p_->pid = launch(spec);
        } catch (const LaunchError& e) {
          throw EmbeddedError(e.what());
        }
        p_->reaped = false;
        p_->dir_removed = false;
      }

      // Up = answers PING (NOAUTH counts: it demands a password) and our own log says it is ready, which rules
      // out another process that grabbed the port answering in its place.
      const auto deadline = Clock::now() + 10s;
      bool up = false, exited = false;
      while (Clock::now() < deadline) {
        {
          std::lock_guard lock(p_->m);
          exited = p_->try_reap_locked();
        }
        if (exited) break;
        {
          const net::Reply r = sync_command(p_->port, {"PING"}, "", 250ms);
          const std::string text = reply_text(r);
          const bool answered = !r.is_error() || text.find("NOAUTH") != std::string::npos ||
                                text.find("WRONGPASS") != std::string::npos ||
                                text.find("NOPERM") != std::string::npos;
          if (answered && read_file(p_->log_path).find("Ready to accept connections") != std::string::npos) {
            up = true;
            break;
          }
        }
        std::this_thread::sleep_for(10ms);
      }
      if (up) return;
      const std::string log = read_file(p_->log_path);
      if (exited && attempt < 5 && log.find("Address already in use") != std::string::npos)
        continue;  // lost the port race
      const std::string tail = startup_error(log);
      p_->stop();
      throw EmbeddedError(std::string("redis-server ") +
                          (exited ? "exited during startup" : "did not answer PING within 10 s") +
                          " on port " + std::to_string(p_->port) + (tail.empty() ? "" : ": " + tail));
    }
  } catch (...) {
    p_->stop();
    std::lock_guard lock(registry_mutex());
    registry().erase(p_.get());
    throw;
  }
}

RedisServer::~RedisServer() {
  if (!p_) return;  // moved from
  {
    std::lock_guard lock(registry_mutex());
    registry().erase(p_.get());
  }
  p_->stop();
}

RedisServer::RedisServer(RedisServer&&) noexcept = default;

RedisServer& RedisServer::operator=(RedisServer&& other) noexcept {
  if (this != &other) {
    RedisServer old(std::move(*this));  // stops our current server at scope end
    p_ = std::move(other.p_);
  }
  return *this;
}

int RedisServer::port() const noexcept { return p_->port; }
int RedisServer::cluster_bus_port() const noexcept { return p_->bus_port; }
const std::string& RedisServer::host() const noexcept { return p_->host; }
std::string RedisServer::address() const { return p_->host + ":" + std::to_string(p_->port); }
pid_t RedisServer::pid() const noexcept { return p_->pid; }
const std::string& RedisServer::dir() const noexcept { return p_->dir; }
const std::string& RedisServer::password() const noexcept { return p_->password; }

std::string RedisServer::log_tail(int lines) const {
  std::vector<std::string> all;
  std::istringstream in(read_file(p_->log_path));
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0; i < all.size(); ++i)
    out += (out.empty() ? "" : " | ") + all[i];
  return out;
}

void RedisServer::kill(int sig) {
  std::lock_guard lock(p_->m);
  if (!p_->try_reap_locked()) p_->signal_locked(sig);
}

bool RedisServer::alive() {
  std::lock_guard lock(p_->m);
  return !p_->try_reap_locked();
}

void RedisServer::stop() { p_->stop(); }

void stop_all_embedded() {
  std::lock_guard lock(registry_mutex());
  // Terminate all first so that their shutdowns overlap, then wait for each.
  for (RedisServer::Process* p : registry()) {
    std::lock_guard plock(p->m);
    if (!p->try_reap_locked()) p->signal_locked(SIGTERM);
  }
  for (RedisServer::Process* p : registry()) p->stop();
}

net::Reply sync_command(int port, const std::vector<std::string>& argv, const std::string& password,
                        std::chrono::milliseconds timeout) {
  net::RedisUrl url;
  url.host = "127.0.0.1";
  url.port = port;
  url.password = password;
  try {
    transport::NodeClient node(url, net::Timeouts{timeout, timeout});
    return node.try_command(argv);
  } catch (const std::exception& e) {  // the handshake refused (TargetError), or an interrupt (Interrupted)
    return net::Reply::failure(net::ErrorClass::other, e.what());
  }
}

std::string reply_text(const net::Reply& r) {
  if (r.is_error()) return std::string(r.error_message());
  if (r.is_string()) return std::string(r.str());
  if (r.is_integer()) return std::to_string(r.integer());
  return "(no reply)";
}

}  // namespace lh::app
