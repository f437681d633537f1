/*
 * not_linux.h - forced into every program (-include) by tests/platforms.sh, which builds the
 * suite as another system would: the Linux-only socket options and families are hidden, so a
 * program that uses one without a guard does not build, and the Makefile skips what the
 * README's "Platforms" says it skips. (macOS and the BSDs lack these; some have one or two
 * of them, which only makes this build the stricter.) The system headers that define them
 * are read here first, with the feature set the widest, and the names undefined after.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#undef AF_PACKET
#undef PF_PACKET
#undef SO_TIMESTAMPNS
#undef SCM_TIMESTAMPNS
#undef SO_BINDTODEVICE
#undef IP_PKTINFO
#undef IP_MTU
#undef IP_MTU_DISCOVER
#undef IP_PMTUDISC_DO
#undef IP_MULTICAST_ALL
#undef IP_RECVERR
#undef TCP_KEEPIDLE
#undef TCP_KEEPINTVL
#undef TCP_KEEPCNT
#undef TCP_INFO
#undef SIOCOUTQ
#undef TIOCOUTQ
#undef SOCK_CLOEXEC
#undef SOCK_NONBLOCK
