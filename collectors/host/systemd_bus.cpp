#include "collectors/host/systemd_bus.h"

#include <dlfcn.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace hostwatch {
namespace {

constexpr const char* kLibsystemd = "libsystemd.so.0";
constexpr const char* kSystemdService = "org.freedesktop.systemd1";
constexpr const char* kPrivateSocket = "/run/systemd/private";
constexpr const char* kLogindService = "org.freedesktop.login1";
constexpr const char* kLogindPath = "/org/freedesktop/login1";
constexpr const char* kLogindManager = "org.freedesktop.login1.Manager";
// dbus-daemon answers at most 128 pending calls per connection by default
// (max_replies_per_connection) and refuses the rest: stay well below.
constexpr std::size_t kMaxInFlight = 64;

// The sd-bus functions the collector calls, typed by the header.
struct SdBusApi {
  decltype(&sd_bus_open_system) open_system = nullptr;
  decltype(&sd_bus_new) new_bus = nullptr;
  decltype(&sd_bus_set_address) set_address = nullptr;
  decltype(&sd_bus_start) start = nullptr;
  decltype(&sd_bus_close) close = nullptr;
  decltype(&sd_bus_unref) unref = nullptr;
  decltype(&sd_bus_message_new_method_call) new_method_call = nullptr;
  decltype(&sd_bus_message_append) append = nullptr;
  decltype(&sd_bus_call) call = nullptr;
  decltype(&sd_bus_call_async) call_async = nullptr;
  decltype(&sd_bus_process) process = nullptr;
  decltype(&sd_bus_wait) wait = nullptr;
  decltype(&sd_bus_slot_unref) slot_unref = nullptr;
  decltype(&sd_bus_message_unref) message_unref = nullptr;
  decltype(&sd_bus_message_enter_container) enter_container = nullptr;
  decltype(&sd_bus_message_exit_container) exit_container = nullptr;
  decltype(&sd_bus_message_read) read = nullptr;
  decltype(&sd_bus_message_get_error) get_error = nullptr;
  decltype(&sd_bus_error_free) error_free = nullptr;
};

// Loads libsystemd once per process; nullptr (with *why) when it cannot.
// Never unloaded: connections may outlive any one collector.
const SdBusApi* LoadSdBus(std::string* why) {
  static std::once_flag once;
  static SdBusApi api;
  static std::string error;
  static bool ok = false;
  std::call_once(once, [] {
    void* lib = dlopen(kLibsystemd, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* e = dlerror();
      error = e != nullptr ? e : kLibsystemd;
      return;
    }
    auto sym = [lib](const char* name) { return dlsym(lib, name); };
    api.open_system = reinterpret_cast<decltype(api.open_system)>(sym("sd_bus_open_system"));
    api.new_bus = reinterpret_cast<decltype(api.new_bus)>(sym("sd_bus_new"));
    api.set_address = reinterpret_cast<decltype(api.set_address)>(sym("sd_bus_set_address"));
    api.start = reinterpret_cast<decltype(api.start)>(sym("sd_bus_start"));
    api.close = reinterpret_cast<decltype(api.close)>(sym("sd_bus_close"));
    api.unref = reinterpret_cast<decltype(api.unref)>(sym("sd_bus_unref"));
    api.new_method_call = reinterpret_cast<decltype(api.new_method_call)>(sym("sd_bus_message_new_method_call"));
    api.append = reinterpret_cast<decltype(api.append)>(sym("sd_bus_message_append"));
    api.call = reinterpret_cast<decltype(api.call)>(sym("sd_bus_call"));
    api.call_async = reinterpret_cast<decltype(api.call_async)>(sym("sd_bus_call_async"));
    api.process = reinterpret_cast<decltype(api.process)>(sym("sd_bus_process"));
    api.wait = reinterpret_cast<decltype(api.wait)>(sym("sd_bus_wait"));
    api.slot_unref = reinterpret_cast<decltype(api.slot_unref)>(sym("sd_bus_slot_unref"));
    api.message_unref = reinterpret_cast<decltype(api.message_unref)>(sym("sd_bus_message_unref"));
    api.enter_container = reinterpret_cast<decltype(api.enter_container)>(sym("sd_bus_message_enter_container"));
    api.exit_container = reinterpret_cast<decltype(api.exit_container)>(sym("sd_bus_message_exit_container"));
    api.read = reinterpret_cast<decltype(api.read)>(sym("sd_bus_message_read"));
    api.get_error = reinterpret_cast<decltype(api.get_error)>(sym("sd_bus_message_get_error"));
    api.error_free = reinterpret_cast<decltype(api.error_free)>(sym("sd_bus_error_free"));
    ok = api.open_system && api.new_bus && api.set_address && api.start && api.close && api.unref &&
         api.new_method_call && api.append && api.call && api.call_async && api.process && api.wait && api.slot_unref &&
         api.message_unref && api.enter_container && api.exit_container && api.read && api.get_error && api.error_free;
    if (!ok) {
      error = std::string(kLibsystemd) + ": an sd-bus function is missing";
    }
  });
  *why = error;
  return ok ? &api : nullptr;
}

// sd-bus returns -errno.
std::string Errno(int r) { return std::strerror(-r); }

// Errors that only mean "nothing to read here": the property is unknown to
// this systemd version, or the unit went away after ListUnits.
bool ExpectedGetError(const sd_bus_error* e) {
  static constexpr const char* kExpected[] = {
      "org.freedesktop.DBus.Error.UnknownProperty", "org.freedesktop.DBus.Error.UnknownInterface",
      "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod",
      "org.freedesktop.systemd1.NoSuchUnit"};
  for (const char* name : kExpected) {
    if (e->name != nullptr && std::strcmp(e->name, name) == 0) {
      return true;
    }
  }
  return false;
}

// One pipelined Properties.Get: where its answer goes.
struct PendingGet {
  PropertyReads* reads = nullptr;
  const SdBusApi* api = nullptr;
  std::size_t* outstanding = nullptr;
  std::size_t index = 0;
  char type = 's';
  sd_bus_slot* slot = nullptr;
};

// Reads the variant of a Get reply into a PropertyValue (monostate when malformed).
PropertyValue ReadVariant(const SdBusApi& api, sd_bus_message* m, char type) {
  const char sig[2] = {type, '\0'};
  if (type == 's') {
    const char* s = nullptr;
    return api.read(m, "v", sig, &s) >= 0 && s != nullptr ? PropertyValue(std::string(s)) : PropertyValue();
  }
  if (type == 'b') {
    int b = 0;  // sd-bus reads a D-Bus boolean into an int
    return api.read(m, "v", sig, &b) >= 0 ? PropertyValue(static_cast<std::uint64_t>(b != 0)) : PropertyValue();
  }
  if (type == 'u') {
    std::uint32_t u = 0;
    return api.read(m, "v", sig, &u) >= 0 ? PropertyValue(static_cast<std::uint64_t>(u)) : PropertyValue();
  }
  std::uint64_t t = 0;
  return api.read(m, "v", sig, &t) >= 0 ? PropertyValue(t) : PropertyValue();
}

// The reply handler: stores the value; an error reply leaves monostate, and
// one that is not expected (limits, access, timeouts) is counted.
int OnGetReply(sd_bus_message* m, void* userdata, sd_bus_error* /*ret_error*/) {
  auto* p = static_cast<PendingGet*>(userdata);
  --*p->outstanding;
  if (const sd_bus_error* e = p->api->get_error(m)) {
    if (!ExpectedGetError(e)) {
      if (p->reads->failed++ == 0) {
        p->reads->first_error =
            std::string(e->name != nullptr ? e->name : "error") + ": " + (e->message != nullptr ? e->message : "");
      }
    }
    return 0;
  }
  p->reads->values[p->index] = ReadVariant(*p->api, m, p->type);
  return 0;
}

}  // namespace

struct SystemdBus::Impl {
  BusChoice choice = BusChoice::kPrivateIfRoot;
  const SdBusApi* api = nullptr;
  sd_bus* bus = nullptr;
  std::chrono::steady_clock::time_point deadline;

  // Microseconds left before the deadline; 0 when it has passed (sd-bus
  // reads 0 as "its default timeout", so callers check first).
  std::uint64_t RemainingUsec() const {
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<std::uint64_t>(left.count()) : 0;
  }

  void Drop() {
    if (bus != nullptr) {
      api->close(bus);
      api->unref(bus);
      bus = nullptr;
    }
  }

  // As root the private socket (unless kSystemBusOnly), else the system bus (never with kPrivateOnly).
  Status Connect() {
    const bool try_private = choice != BusChoice::kSystemBusOnly && geteuid() == 0;
    if (try_private && access(kPrivateSocket, F_OK) == 0) {
      sd_bus* b = nullptr;
      int r = api->new_bus(&b);
      if (r >= 0) {
        r = api->set_address(b, "unix:path=/run/systemd/private");
        r = r >= 0 ? api->start(b) : r;
        if (r >= 0) {
          bus = b;
          return Status::OK();
        }
        api->unref(b);
      }
      if (choice == BusChoice::kPrivateOnly) {
        return Status::NoData(std::string("systemd: cannot connect to ") + kPrivateSocket + ": " + Errno(r), -r);
      }
    } else if (choice == BusChoice::kPrivateOnly) {
      // systemd closes private connections from any uid but 0 (after connect() succeeded, so say it here).
      return geteuid() != 0
                 ? Status::NoData(std::string("systemd: cannot connect to ") + kPrivateSocket + ": root only", EPERM)
                 : Status::NoData(std::string("systemd: no private socket ") + kPrivateSocket, ENOENT);
    }
    int r = api->open_system(&bus);
    if (r < 0) {
      bus = nullptr;
      return Status::NoData("systemd: no system bus: " + Errno(r), -r);
    }
    return Status::OK();
  }

  // Calls a method without arguments; the reply (to unref) or a Status: NoData
  // when the service is not on the bus (not running, cannot be activated).
  // who prefixes messages ("systemd", "logind").
  Result<sd_bus_message*> CallNoArgs(const char* who, const char* service, const char* path, const char* interface,
                                     const char* member) {
    std::uint64_t usec = RemainingUsec();
    if (usec == 0) {
      return Status::FromErrno(ETIMEDOUT, std::string(who) + ": " + member);
    }
    Status st;
    sd_bus_message* call = NewCall(path, interface, member, &st, service);
    if (call == nullptr) {
      return st;
    }
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int r = api->call(bus, call, usec, &error, &reply);
    api->message_unref(call);
    if (r < 0) {
      std::string why = error.message != nullptr ? error.message : Errno(r);
      const bool absent = error.name != nullptr && (std::strcmp(error.name, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
                                                    std::strcmp(error.name, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0 ||
                                                    std::strncmp(error.name, "org.freedesktop.DBus.Error.Spawn", 31) == 0);
      api->error_free(&error);
      std::string message = std::string(who) + ": " + member + ": " + why;
      return absent ? Status::NoData(message) : Status::Error(message);
    }
    return reply;
  }

  // A new method call to systemd, or nullptr with *status set.
  sd_bus_message* NewCall(const std::string& path, const char* interface, const char* member, Status* status,
                          const char* service = kSystemdService) {
    sd_bus_message* m = nullptr;
    int r = api->new_method_call(bus, &m, service, path.c_str(), interface, member);
    if (r < 0) {
      *status = Status::FromErrno(-r, std::string("systemd: ") + member);
      return nullptr;
    }
    return m;
  }

  // Sends requests[next...] until kMaxInFlight are pending. Error when a
  // call cannot be queued (the connection broke).
  Status SendMore(const std::vector<PropertyRequest>& requests, std::vector<PendingGet>& pending, std::size_t* next,
                  std::size_t* outstanding) {
    while (*next < requests.size() && *outstanding < kMaxInFlight) {
      const PropertyRequest& req = requests[*next];
      PendingGet& p = pending[*next];
      Status st;
      sd_bus_message* m = NewCall(req.object_path, "org.freedesktop.DBus.Properties", "Get", &st, req.service);
      if (m == nullptr) {
        return st;
      }
      int r = api->append(m, "ss", req.interface.c_str(), req.property.c_str());
      if (r >= 0) {
        r = api->call_async(bus, &p.slot, m, OnGetReply, &p, RemainingUsec() + 1);
      }
      api->message_unref(m);
      if (r < 0) {
        return Status::FromErrno(-r, "systemd: Properties.Get");
      }
      ++*outstanding;
      ++*next;
    }
    return Status::OK();
  }
};

SystemdBus::SystemdBus(BusChoice choice) : impl_(std::make_unique<Impl>()) { impl_->choice = choice; }

SystemdBus::~SystemdBus() { impl_->Drop(); }

void SystemdBus::Reset() { impl_->Drop(); }

bool SystemdBus::Connected() const { return impl_->bus != nullptr; }

Status SystemdBus::Begin(std::chrono::milliseconds budget) {
  impl_->deadline = std::chrono::steady_clock::now() + budget;
  if (impl_->api == nullptr) {
    std::string why;
    impl_->api = LoadSdBus(&why);
    if (impl_->api == nullptr) {
      return Status::NoData("systemd: cannot load libsystemd: " + why);
    }
  }
  return impl_->bus != nullptr ? Status::OK() : impl_->Connect();
}

Result<std::vector<ListedUnit>> SystemdBus::ListUnits() {
  Impl& s = *impl_;
  Result<sd_bus_message*> call = s.CallNoArgs("systemd", kSystemdService, kSystemdManagerPath, kSystemdManagerInterface, "ListUnits");
  if (!call.ok()) {
    return Status::Error(call.status().message());  // systemd itself answers: its absence is an error
  }
  sd_bus_message* reply = call.value();
  std::vector<ListedUnit> units;
  int r = s.api->enter_container(reply, 'a', "(ssssssouso)");
  while (r > 0) {
    const char *name, *description, *load, *active, *sub, *following, *path, *job_type, *job_path;
    std::uint32_t job_id = 0;
    r = s.api->read(reply, "(ssssssouso)", &name, &description, &load, &active, &sub, &following, &path, &job_id,
                    &job_type, &job_path);
    if (r > 0) {
      units.push_back({name, load, active, path});
    }
  }
  s.api->message_unref(reply);
  if (r < 0) {
    return Status::Error("systemd: ListUnits: malformed reply: " + Errno(r));
  }
  return units;
}

Result<std::vector<std::string>> SystemdBus::ListLogindSeats() {
  Impl& s = *impl_;
  Result<sd_bus_message*> call = s.CallNoArgs("logind", kLogindService, kLogindPath, kLogindManager, "ListSeats");
  if (!call.ok()) {
    return call.status();
  }
  std::vector<std::string> seats;
  int r = s.api->enter_container(call.value(), 'a', "(so)");
  while (r > 0) {
    const char *id, *path;
    r = s.api->read(call.value(), "(so)", &id, &path);
    if (r > 0) {
      seats.emplace_back(id);
    }
  }
  s.api->message_unref(call.value());
  if (r < 0) {
    return Status::Error("logind: ListSeats: malformed reply: " + Errno(r));
  }
  return seats;
}

Result<std::vector<LogindSessionRow>> SystemdBus::ListLogindSessions() {
  Impl& s = *impl_;
  Result<sd_bus_message*> call = s.CallNoArgs("logind", kLogindService, kLogindPath, kLogindManager, "ListSessions");
  if (!call.ok()) {
    return call.status();
  }
  std::vector<LogindSessionRow> sessions;
  int r = s.api->enter_container(call.value(), 'a', "(susso)");
  while (r > 0) {
    const char *id, *user, *seat, *path;
    std::uint32_t uid = 0;
    r = s.api->read(call.value(), "(susso)", &id, &uid, &user, &seat, &path);
    if (r > 0) {
      sessions.push_back({id, seat, path});
    }
  }
  s.api->message_unref(call.value());
  if (r < 0) {
    return Status::Error("logind: ListSessions: malformed reply: " + Errno(r));
  }
  return sessions;
}

Result<PropertyReads> SystemdBus::Get(const std::vector<PropertyRequest>& requests) {
  Impl& s = *impl_;
  PropertyReads reads;
  reads.values.resize(requests.size());
  std::vector<PendingGet> pending(requests.size());
  std::size_t next = 0, outstanding = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    pending[i] = {&reads, s.api, &outstanding, i, requests[i].type, nullptr};
  }
  Status st = s.SendMore(requests, pending, &next, &outstanding);
  while (st.ok() && outstanding > 0) {
    int r = s.api->process(s.bus, nullptr);
    if (r < 0) {
      st = Status::FromErrno(-r, "systemd: reading replies");
    } else if (r == 0) {
      std::uint64_t usec = s.RemainingUsec();
      r = usec == 0 ? -ETIMEDOUT : s.api->wait(s.bus, usec);
      if (r < 0) {
        st = Status::FromErrno(-r, "systemd: waiting for replies");
      }
    } else {
      st = s.SendMore(requests, pending, &next, &outstanding);
    }
  }
  // Unref'ing a slot cancels its call: no callback can fire into `pending` later.
  for (PendingGet& p : pending) {
    if (p.slot != nullptr) {
      s.api->slot_unref(p.slot);
    }
  }
  if (!st.ok()) {
    return st;
  }
  return reads;
}

}  // namespace hostwatch
