#include "collectors/checks/http/curl_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <utility>

namespace hostwatch {

void CurlGuard::Install(const CurlApi& curl, CURL* easy) {
  if (guard.policy != nullptr) {
    curl.easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlGuard::OpenSocket);
    curl.easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
  }
}

std::string CurlGuard::RefusalError(CURLcode code, const std::string& host) const {
  if (refused_address.empty() || code != CURLE_COULDNT_CONNECT) {
    return "";
  }
  return "connection to " + refused_address + " (resolved from " + host + ") refused: " + refused_why;
}

curl_socket_t CurlGuard::OpenSocket(void* self, curlsocktype purpose, curl_sockaddr* address) {
  auto* g = static_cast<CurlGuard*>(self);
  if (g->guard.policy != nullptr && purpose == CURLSOCKTYPE_IPCXN) {
    const sockaddr* sa = &address->addr;
    const std::uint8_t* bytes = nullptr;
    int port = 0;
    if (address->family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
      bytes = reinterpret_cast<const std::uint8_t*>(&in->sin_addr);
      port = ntohs(in->sin_port);
    } else if (address->family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
      bytes = reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr);
      port = ntohs(in6->sin6_port);
    }
    std::string why = "not an IPv4 or IPv6 address";
    if (bytes == nullptr || !g->guard.policy->AllowsConnection(g->guard.verdict, address->family, bytes, port, &why)) {
      char text[INET6_ADDRSTRLEN] = "?";
      if (bytes != nullptr) {
        inet_ntop(address->family, bytes, text, sizeof(text));
      }
      g->refused_address = std::string(text) + ":" + std::to_string(port);
      g->refused_why = std::move(why);
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

}  // namespace hostwatch
