// linux.netDevices: runc 1.3's devChangeNetNamespace with raw rtnetlink, run by the host.
// The steps (runtime-spec config-linux.md "Network Devices"): find the interface in the host's
// namespace, keep its permanent global addresses, move and rename it in one RTM_NEWLINK, put
// the addresses back and bring it up in the container's namespace. A socket made in that
// namespace (by a forked helper that joins it) talks to it; the host never leaves its own.
#include "net_device.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "op_args.gen.h"
#include "ops.gen.h"
#include "fd_from_child.h"
#include "raw.h"
#include "sync_msg.h"

int op_net_device(int sync, int index) {
  if (int r = sync_send(sync, SYNC_NET_DEVICE, index, 0, 0)) return -r;
  SyncMsg m;
  if (sync_recv(sync, &m) <= 0 || m.kind != SYNC_NET_DEVICE_DONE) raw_exit(1);  // host gone
  return m.err;
}

namespace {

// One rtnetlink request: the header, the family message, then attributes.
class Request {
 public:
  Request(uint16_t type, uint16_t flags, const void* msg, size_t len) : buf_(NLMSG_LENGTH(len)) {
    nlmsghdr* h = hdr();
    h->nlmsg_len = (uint32_t)buf_.size();
    h->nlmsg_type = type;
    h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
    memcpy(NLMSG_DATA(h), msg, len);
  }
  nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  Request& attr(uint16_t type, const void* data, size_t len) {
    size_t at = NLMSG_ALIGN(buf_.size());
    buf_.resize(at + RTA_ALIGN(RTA_LENGTH(len)));
    rtattr* a = reinterpret_cast<rtattr*>(buf_.data() + at);
    a->rta_type = type;
    a->rta_len = (uint16_t)RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    hdr()->nlmsg_len = (uint32_t)buf_.size();
    return *this;
  }
  Request& str(uint16_t type, const char* s) { return attr(type, s, strlen(s) + 1); }
  // Raw attributes, already laid out (a kept address's).
  Request& raw(const std::vector<char>& attrs) {
    buf_.insert(buf_.end(), attrs.begin(), attrs.end());
    hdr()->nlmsg_len = (uint32_t)buf_.size();
    return *this;
  }

 private:
  std::vector<char> buf_;
};

uint32_t last_seq = 0;

// Sends req and reads its answer to the end: the ack (NLMSG_ERROR, errno 0 or not) or, for a
// dump, NLMSG_DONE. each(msg) sees every other message of the answer. 0 or an errno.
template <typename F>
int talk(int sock, Request& req, F each) {
  nlmsghdr* h = req.hdr();
  h->nlmsg_seq = ++last_seq;
  long r;
  do r = rsys(SYS_sendto, sock, h, h->nlmsg_len, 0, 0, 0);
  while (r == -EINTR);
  if (r < 0) return err_of(r);
  std::vector<char> buf(64 * 1024);
  for (;;) {
    do r = rsys(SYS_recvfrom, sock, buf.data(), buf.size(), 0, 0, 0);
    while (r == -EINTR);
    if (r <= 0) return r < 0 ? err_of(r) : EPROTO;
    int len = (int)r;
    for (nlmsghdr* m = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(m, len); m = NLMSG_NEXT(m, len)) {
      if (m->nlmsg_seq != h->nlmsg_seq) continue;
      if (m->nlmsg_type == NLMSG_ERROR || m->nlmsg_type == NLMSG_DONE) {
        int e = m->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ? *reinterpret_cast<int*>(NLMSG_DATA(m)) : 0;
        return e < 0 ? -e : 0;
      }
      each(m);
    }
  }
}

int open_rtnl(int* out) {
  long fd = rsys(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  *out = fd < 0 ? -1 : (int)fd;
  return err_of(fd);
}

// The index of the interface named name, by RTM_GETLINK: 0, or ENODEV when there is none.
int link_index(int sock, const char* name, int* index) {
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_UNSPEC;
  Request req(RTM_GETLINK, NLM_F_ACK, &ifi, sizeof ifi);
  req.str(IFLA_IFNAME, name);
  *index = 0;
  int err = talk(sock, req, [index](nlmsghdr* m) {
    if (m->nlmsg_type == RTM_NEWLINK) *index = reinterpret_cast<ifinfomsg*>(NLMSG_DATA(m))->ifi_index;
  });
  return err ? err : *index > 0 ? 0 : ENODEV;
}

// 0 when no interface has this name, else EEXIST (or the lookup's errno).
int name_free(int sock, const char* name) {
  int index;
  int err = link_index(sock, name, &index);
  return err == ENODEV ? 0 : err ? err : EEXIST;
}

// 0 when no interface has this index, else EEXIST (or the lookup's errno).
int index_free(int sock, int index) {
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  Request req(RTM_GETLINK, NLM_F_ACK, &ifi, sizeof ifi);
  int err = talk(sock, req, [](nlmsghdr*) {});
  return err == ENODEV ? 0 : err ? err : EEXIST;
}

// An address to put back: its ifaddrmsg, the attributes that make it (address, local,
// broadcast) and its configuration flags. Not the label (the old name's), the lifetimes
// (permanent ones have none) nor the state flags (tentative, deprecated...).
struct Address {
  ifaddrmsg ifa;
  std::vector<char> attrs;
  uint32_t flags;
};

constexpr uint32_t kConfigFlags = IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;

// The spec's and runc's choice: permanent (IFA_F_PERMANENT) addresses of global scope
// (RT_SCOPE_UNIVERSE), of any family. Link-local and autoconfigured ones are the namespace's.
int kept_addresses(int sock, int index, std::vector<Address>* out) {
  ifaddrmsg ifa = {};
  ifa.ifa_family = AF_UNSPEC;
  Request req(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa);
  return talk(sock, req, [index, out](nlmsghdr* m) {
    if (m->nlmsg_type != RTM_NEWADDR) return;
    ifaddrmsg* a = reinterpret_cast<ifaddrmsg*>(NLMSG_DATA(m));
    if ((int)a->ifa_index != index || !(a->ifa_flags & IFA_F_PERMANENT) || a->ifa_scope != RT_SCOPE_UNIVERSE) return;
    Address kept = {*a, {}, a->ifa_flags};
    kept.ifa.ifa_flags = 0;
    int len = (int)IFA_PAYLOAD(m);
    for (rtattr* rta = IFA_RTA(a); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
      if (rta->rta_type == IFA_FLAGS && RTA_PAYLOAD(rta) >= sizeof(uint32_t)) memcpy(&kept.flags, RTA_DATA(rta), sizeof kept.flags);
      if (rta->rta_type != IFA_ADDRESS && rta->rta_type != IFA_LOCAL && rta->rta_type != IFA_BROADCAST) continue;
      const char* p = reinterpret_cast<const char*>(rta);
      kept.attrs.insert(kept.attrs.end(), p, p + RTA_ALIGN(rta->rta_len));
    }
    kept.flags &= kConfigFlags;
    out->push_back(std::move(kept));
  });
}

// Moves and renames in one request, from the host's namespace: the name is never taken in
// between. With a "%d" name the kernel picks the number.
int move_link(int sock, int index, int netns, const char* name) {
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  uint32_t fd = (uint32_t)netns;
  Request req(RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  req.attr(IFLA_NET_NS_FD, &fd, sizeof fd).str(IFLA_IFNAME, name);
  return talk(sock, req, [](nlmsghdr*) {});
}

int add_address(int sock, int index, const Address& a) {
  ifaddrmsg ifa = a.ifa;
  ifa.ifa_index = (uint32_t)index;
  Request req(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  req.raw(a.attrs);
  if (a.flags) req.attr(IFA_FLAGS, &a.flags, sizeof a.flags);
  return talk(sock, req, [](nlmsghdr*) {});
}

int set_up(int sock, int index) {
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  Request req(RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  return talk(sock, req, [](nlmsghdr*) {});
}

// A NETLINK_ROUTE socket of the namespace netns (a socket stays in the namespace it was made
// in), made by a forked helper that joins it. Raw syscalls only there.
long rtnl_socket_in(const void* arg) {
  long r = rsys(SYS_setns, *static_cast<const int*>(arg), CLONE_NEWNET);
  return r < 0 ? r : rsys(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

// EINVAL when netns is the host's own: "moving" there would only rename a host interface.
int not_the_hosts(int netns) {
  struct stat ours, theirs;
  if (stat("/proc/thread-self/ns/net", &ours) < 0 || fstat(netns, &theirs) < 0) return errno;
  return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino ? EINVAL : 0;
}

}  // namespace

int move_net_device(const PlanOp& op, int pid) {
  NetDeviceArgs a = net_device_args(op);
  const char* host_name = a.hostName;
  const char* name = a.containerName;
  bool numbered = strchr(name, '%') != nullptr;
  std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  int netns = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (netns < 0) return errno;
  int sock = -1, inner = -1, index = 0, moved = 0;
  std::vector<Address> addresses;
  int err = not_the_hosts(netns);
  if (!err) err = open_rtnl(&sock);
  if (!err) err = link_index(sock, host_name, &index);
  if (!err) err = kept_addresses(sock, index, &addresses);
  if (!err) err = fd_from_child(rtnl_socket_in, &netns, &inner);
  // Checked before the move, so that a failure changes nothing: the name must be free in the
  // container (the kernel would move the device, then refuse the rename). A "%d" name is the
  // kernel's pick, so that device is found by its index, which the kernel keeps when it is free.
  if (!err) err = numbered ? index_free(inner, index) : name_free(inner, name);
  if (!err) err = move_link(sock, index, netns, name);
  if (!err) err = numbered ? (moved = index, 0) : link_index(inner, name, &moved);
  for (size_t i = 0; !err && i < addresses.size(); i++) err = add_address(inner, moved, addresses[i]);
  if (!err) err = set_up(inner, moved);
  raw_close(sock);
  raw_close(inner);
  raw_close(netns);
  return err;
}
