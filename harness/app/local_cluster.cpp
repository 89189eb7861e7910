#include "harness/app/local_cluster.hpp"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "harness/transport/slot.hpp"
#include "harness/transport/slot_map.hpp"
#include "harness/util/process.hpp"

namespace lh::app {
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

bool has_line(const std::string& text, std::string_view line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l == line) return true;
  }
  return false;
}

std::vector<std::string> split_ws(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool has_flag(const std::string& flags, std::string_view flag) {
  std::istringstream in(flags);
  for (std::string f; std::getline(in, f, ',');)
    if (f == flag) return true;
  return false;
}

// "127.0.0.1:30001@40001,hostname" -> "127.0.0.1:30001"
std::string node_address(const std::string& field) { return field.substr(0, field.find_first_of("@,")); }

// Last n non-empty lines, joined by " | ", without the ANSI colours redis-cli uses even when writing to a file.
std::string last_lines(const std::string& text, size_t n) {
  std::string plain;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    plain += text[i];
  }
  std::vector<std::string> lines;
  std::istringstream in(plain);
  for (std::string l; std::getline(in, l);)
    if (l.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(l);
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

std::string find_redis_cli(const std::string& redis_server) {
  const auto sibling = std::filesystem::path(redis_server).parent_path() / "redis-cli";
  if (is_executable_file(sibling.string())) return sibling.string();
  return find_in_path("redis-cli");
}

// Runs a helper program with output captured; returns its exit status (or -1 on timeout) and the output.
std::pair<int, std::string> run_captured(std::vector<std::string> args,
                                         const std::vector<std::string>& extra_env,
                                         const std::string& out_path, std::chrono::seconds timeout) {
  LaunchSpec spec;
  spec.argv = std::move(args);
  spec.env = extra_env;
  spec.stdout_path = spec.stderr_path = out_path;
  ChildEnd end;
  try {
    end = wait_or_kill(launch(spec), timeout, 20ms);
  } catch (const LaunchError& e) {
    throw EmbeddedError(e.what());
  }
  std::ifstream in(out_path);
  std::ostringstream out;
  out << in.rdbuf();
  if (end.timed_out) return {-1, out.str()};
  return {exit_code_of(end.status), out.str()};
}

}  // namespace

LocalCluster::LocalCluster(int masters, int replicas_per_master, ServerOptions options) {
  if (masters < 1 || replicas_per_master < 0)
    throw EmbeddedError("a local cluster needs at least 1 master and 0 or more replicas per master");
  options.cluster = true;
  if (options.redis_server.empty()) options.redis_server = locate_redis_server("").path;
  if (options.redis_server.empty())
    throw EmbeddedError(
        "redis-server not found in PATH: install it (apt-get install redis-server) or pass --redis-server PATH");
  for (size_t i = 0; i + 1 < options.extra_args.size(); ++i)
    if (options.extra_args[i] == "--requirepass") password_ = options.extra_args[i + 1];
  // Don't let a master wait (up to 10 s by default) for replicas to catch up when everything shuts down at once;
  // user extra_args come later on the command line and win.
  // And start a replica's first full sync at once instead of waiting 5 s for more replicas to share the transfer.
  options.extra_args.insert(options.extra_args.begin(),
                            {"--shutdown-timeout", "0", "--repl-diskless-sync-delay", "0"});
  if (!password_.empty()) options.extra_args.insert(options.extra_args.begin(), {"--masterauth", password_});

  const int total = masters * (1 + replicas_per_master);
  for (int i = 0; i < total; ++i) nodes_.push_back(std::make_unique<RedisServer>(options));

  if (masters >= 3) {
    const std::string cli = find_redis_cli(options.redis_server);
    if (cli.empty())
      throw EmbeddedError("redis-cli not found next to " + options.redis_server + " or in PATH");
    create_with_redis_cli(cli, replicas_per_master);
  } else {
    create_by_hand(masters, replicas_per_master);
  }
  forming_replicas_ = masters * replicas_per_master;
  if (!wait_healthy(30s)) throw EmbeddedError("local cluster not healthy after 30 s: " + problem_);
  forming_replicas_ = -1;  // from now on a replica may be promoted, or die with its master
}

LocalCluster::~LocalCluster() {
  // Terminate every node first so that the shutdowns overlap; each destructor then waits for its own.
  for (auto& n : nodes_) n->kill(SIGTERM);
  nodes_.clear();
}

void LocalCluster::create_with_redis_cli(const std::string& redis_cli, int replicas) {
  std::vector<std::string> args = {redis_cli, "--cluster", "create"};
  for (auto& n : nodes_) args.push_back(n->address());
  args.insert(args.end(), {"--cluster-replicas", std::to_string(replicas), "--cluster-yes"});
  // The password goes through the environment: never on a command line that `ps` shows.
  std::vector<std::string> env;
  if (!password_.empty()) env.push_back("REDISCLI_AUTH=" + password_);
  auto [status, output] = run_captured(args, env, nodes_.front()->dir() + "/cluster-create.log", 60s);
  if (status != 0)
    throw EmbeddedError(
        "redis-cli --cluster create " +
        (status < 0 ? std::string("timed out") : "failed (exit " + std::to_string(status) + ")") + ": " +
        last_lines(output, 3));
}

// redis-cli refuses fewer than 3 masters, but a 1- or 2-master cluster is a valid (if fragile) test target.
void LocalCluster::create_by_hand(int masters, int replicas) {
  auto must = [&](RedisServer& n, const std::vector<std::string>& argv) {
    const net::Reply r = sync_command(n.port(), argv, password_, 5000ms);
    if (r.is_error())
      throw EmbeddedError("cluster setup: " + argv[0] + " " + argv[1] + " on " + n.address() + ": " +
                          reply_text(r));
    return reply_text(r);
  };
  std::vector<std::string> ids;
  for (auto& n : nodes_) ids.push_back(must(*n, {"CLUSTER", "MYID"}));
  for (int m = 0; m < masters; ++m) {
    const int lo = m * transport::kSlotCount / masters;
    const int hi = (m + 1) * transport::kSlotCount / masters - 1;
    must(*nodes_[m], {"CLUSTER", "ADDSLOTSRANGE", std::to_string(lo), std::to_string(hi)});
    must(*nodes_[m], {"CLUSTER", "SET-CONFIG-EPOCH", std::to_string(m + 1)});
  }
  RedisServer& first = *nodes_.front();
  for (size_t i = 1; i < nodes_.size(); ++i)
    must(*nodes_[i], {"CLUSTER", "MEET", first.host(), std::to_string(first.port()),
                      std::to_string(first.cluster_bus_port())});
  // REPLICATE needs the replica to know its master: wait until the handshakes are done everywhere.
  const auto deadline = Clock::now() + 30s;
  for (bool met = false; !met;) {
    if (Clock::now() > deadline) throw EmbeddedError("cluster setup: nodes did not meet within 30 s");
    met = true;
    for (auto& n : nodes_) {
      const std::string text = must(*n, {"CLUSTER", "NODES"});
      const auto lines = std::count(text.begin(), text.end(), '\n');
      met = met && lines == static_cast<long>(nodes_.size()) && text.find("handshake") == std::string::npos;
    }
    if (!met) std::this_thread::sleep_for(50ms);
  }
  for (int m = 0; m < masters; ++m)
    for (int r = 0; r < replicas; ++r)
      must(*nodes_[masters + m * replicas + r], {"CLUSTER", "REPLICATE", ids[m]});
}

std::vector<RedisServer*> LocalCluster::nodes() {
  std::vector<RedisServer*> out;
  for (auto& n : nodes_) out.push_back(n.get());
  return out;
}

std::vector<std::string> LocalCluster::seed_addresses() {
  std::vector<std::string> out;
  for (auto& n : nodes_)
    if (n->alive()) out.push_back(n->address());
  return out;
}

RedisServer* LocalCluster::node_by_port(int port) {
  for (auto& n : nodes_)
    if (n->port() == port) return n.get();
  return nullptr;
}

std::vector<std::string> LocalCluster::master_addresses() {
  for (auto& n : nodes_) {
    if (!n->alive()) continue;
    const net::Reply r = sync_command(n->port(), {"CLUSTER", "NODES"}, password_);
    if (!r.is_string()) continue;
    std::vector<std::string> out;
    std::istringstream in(reply_text(r));
    for (std::string line; std::getline(in, line);) {
      // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...
      const auto f = split_ws(line);
      if (f.size() > 8 && has_flag(f[2], "master") && !has_flag(f[2], "fail"))
        out.push_back(node_address(f[1]));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  return {};
}

bool LocalCluster::wait_healthy(std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    try {
      problem_ = health_problem();
    } catch (const std::exception& e) {  // a malformed CLUSTER SLOTS: report it, keep polling
      problem_ = e.what();
    }
    if (problem_.empty()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

std::string LocalCluster::health_problem() {
  std::vector<int> live_ports;
  for (auto& n : nodes_)
    if (n->alive()) live_ports.push_back(n->port());
  if (live_ports.empty()) return "no node is alive";

  std::vector<int> first_view;  // owner port per slot, as the first live node sees it
  std::vector<std::string> first_roles;
  for (int port : live_ports) {
    const std::string who = "node 127.0.0.1:" + std::to_string(port);
    const net::Reply info = sync_command(port, {"CLUSTER", "INFO"}, password_);
    if (!info.is_string()) return who + " does not answer CLUSTER INFO: " + reply_text(info);
    if (!has_line(reply_text(info), "cluster_state:ok")) return who + " is not cluster_state:ok";

    const net::Reply nodes = sync_command(port, {"CLUSTER", "NODES"}, password_);
    if (!nodes.is_string()) return who + " does not answer CLUSTER NODES";
    const std::string table = reply_text(nodes);
    if (std::count(table.begin(), table.end(), '\n') != static_cast<long>(nodes_.size()) ||
        table.find("handshake") != std::string::npos)
      return who + " does not know every node yet";
    // Who replicates whom, as this node sees it: every node must agree (a replica the other masters do not
    // yet know as one gets no votes, and a manual failover of it times out).
    std::vector<std::string> roles;
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream f(line);
      std::string id, addr, flags, master;
      f >> id >> addr >> flags >> master;
      const bool replica = flags.find("slave") != std::string::npos;
      roles.push_back(id + (replica ? " replicates " + master : " master"));
    }
    std::sort(roles.begin(), roles.end());
    const auto replicas = std::count_if(roles.begin(), roles.end(), [](const std::string& r) {
      return r.find(" replicates ") != std::string::npos;
    });
    if (forming_replicas_ >= 0 && replicas != forming_replicas_)
      return who + " knows " + std::to_string(replicas) + " of the " + std::to_string(forming_replicas_) +
             " replicas as replicas yet";
    if (first_roles.empty()) first_roles = std::move(roles);
    else if (roles != first_roles) return who + " does not agree yet on which node replicates which";

    const net::Reply slots = sync_command(port, {"CLUSTER", "SLOTS"}, password_);
    if (!slots.is_array()) return who + " does not answer CLUSTER SLOTS";
    const transport::SlotMap map = transport::SlotMap::from_cluster_slots(slots.raw());
    std::vector<int> view(transport::kSlotCount, -1);
    for (int s = 0; s < transport::kSlotCount; ++s) {
      const int idx = map.node_for_slot(static_cast<uint16_t>(s));
      if (idx < 0) return who + " sees slot " + std::to_string(s) + " unassigned";
      view[s] = map.nodes()[idx].port;
      if (std::find(live_ports.begin(), live_ports.end(), view[s]) == live_ports.end())
        return who + " sees slot " + std::to_string(s) + " served by " + map.nodes()[idx].to_string() +
               ", which is down";
    }
    if (first_view.empty()) first_view = std::move(view);
    else if (view != first_view)
      return who + " has a different slot map than node 127.0.0.1:" + std::to_string(live_ports[0]);

    const net::Reply repl = sync_command(port, {"INFO", "replication"}, password_);
    const std::string r = reply_text(repl);
    if (has_line(r, "role:slave") && !has_line(r, "master_link_status:up"))
      return who + " (replica) has no link to its master yet";
  }
  return "";
}

}  // namespace lh::app
