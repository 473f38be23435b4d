#include <cctype>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "karpenter/kube/config.hpp"

extern char** environ;

namespace karpenter::kube {
namespace {

// Parses "2006-01-02T15:04:05Z" (fractional seconds and numeric offsets accepted).
std::optional<std::chrono::system_clock::time_point> parseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  size_t pos = static_cast<size_t>(consumed);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      ++pos;
    }
  }
  long offset = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int hours = 0;
    int minutes = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &hours, &minutes) != 2) {
      return std::nullopt;
    }
    offset = (text[pos] == '+' ? 1 : -1) * (hours * 3600L + minutes * 60L);
  } else if (pos >= text.size() || (text[pos] != 'Z' && text[pos] != 'z')) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm) - offset);
}

// Runs the plugin and returns its stdout; errors name the command.
Result<std::string> runPlugin(const ExecConfig& exec, const std::string& execInfo) {
  std::vector<std::string> envStrings;
  for (char** e = environ; *e != nullptr; ++e) {
    envStrings.emplace_back(*e);
  }
  for (const auto& [name, value] : exec.env) {
    envStrings.push_back(name + "=" + value);
  }
  envStrings.push_back("KUBERNETES_EXEC_INFO=" + execInfo);
  std::vector<char*> envp;
  for (auto& s : envStrings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> argStrings{exec.command};
  argStrings.insert(argStrings.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv;
  for (auto& s : argStrings) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);

  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
    return Error{ErrorKind::kUnavailable, "exec plugin " + exec.command + ": pipe failed"};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int rc =
      ::posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipeFds[1]);
  if (rc != 0) {
    ::close(pipeFds[0]);
    return Error{ErrorKind::kUnavailable, "exec plugin " + exec.command + ": cannot start"};
  }
  std::string out;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(pipeFds[0], buffer, sizeof(buffer))) > 0) {
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipeFds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error{ErrorKind::kUnavailable, "exec plugin " + exec.command + ": exited with status " +
                                              std::to_string(WEXITSTATUS(status))};
  }
  return out;
}

}  // namespace

struct TokenSource::State {
  RestConfig config;
  Clock now;
  std::mutex mutex;
  // token file cache
  std::string fileToken;
  struct timespec fileMtime {};
  off_t fileSize = -1;
  // exec credential cache
  std::string execToken;
  std::optional<std::chrono::system_clock::time_point> execExpiry;

  Result<std::string> fromFile() {
    struct stat info {};
    if (::stat(config.tokenFile.c_str(), &info) != 0) {
      if (!fileToken.empty()) {
        return fileToken;  // keep serving the last token through a rotation gap
      }
      return notFoundError(config.tokenFile + ": token file cannot be read");
    }
    if (fileSize == info.st_size && fileMtime.tv_sec == info.st_mtim.tv_sec &&
        fileMtime.tv_nsec == info.st_mtim.tv_nsec) {
      return fileToken;
    }
    std::ifstream in(config.tokenFile, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
      token.pop_back();
    }
    if (token.empty()) {
      return invalidError(config.tokenFile + ": token file is empty");
    }
    fileToken = std::move(token);
    fileMtime = info.st_mtim;
    fileSize = info.st_size;
    return fileToken;
  }

  Result<std::string> fromExec() {
    const auto current = now();
    if (!execToken.empty() && (!execExpiry || current < *execExpiry)) {
      return execToken;
    }
    const ExecConfig& exec = *config.exec;
    const nlohmann::json info = {{"apiVersion", exec.apiVersion},
                                 {"kind", "ExecCredential"},
                                 {"spec", {{"interactive", false}}}};
    auto out = runPlugin(exec, info.dump());
    if (!out) {
      return out.error();
    }
    const auto credential = nlohmann::json::parse(*out, nullptr, false);
    const std::string where = "exec plugin " + exec.command;
    if (!credential.is_object() || !credential.contains("status") ||
        !credential["status"].is_object()) {
      return invalidError(where + ": output is not an ExecCredential with a status");
    }
    const auto& status = credential["status"];
    if (!status.contains("token") || !status["token"].is_string()) {
      return invalidError(where + ": status.token: missing (client certificates not supported)");
    }
    execExpiry.reset();
    if (status.contains("expirationTimestamp") && status["expirationTimestamp"].is_string()) {
      execExpiry = parseRfc3339(status["expirationTimestamp"].get<std::string>());
      if (!execExpiry) {
        return invalidError(where + ": status.expirationTimestamp: not RFC 3339");
      }
    }
    execToken = status["token"].get<std::string>();
    return execToken;
  }
};

TokenSource::TokenSource(RestConfig config, Clock now) : state_(std::make_unique<State>()) {
  state_->config = std::move(config);
  state_->now = now ? std::move(now) : [] { return std::chrono::system_clock::now(); };
}

TokenSource::~TokenSource() = default;

Result<std::string> TokenSource::token() {
  std::lock_guard lock(state_->mutex);
  if (!state_->config.tokenFile.empty()) {
    return state_->fromFile();
  }
  if (!state_->config.token.empty()) {
    return state_->config.token;
  }
  if (state_->config.exec) {
    return state_->fromExec();
  }
  return std::string();
}

void TokenSource::invalidate() {
  std::lock_guard lock(state_->mutex);
  state_->execToken.clear();
  state_->execExpiry.reset();
}

}  // namespace karpenter::kube
