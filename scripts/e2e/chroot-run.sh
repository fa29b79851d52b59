#!/usr/bin/env bash
# Run a command inside a Debian root (e.g. the e2e trixie root) with a clean
# environment, mounting what it needs only for the duration of the command.
#
#   chroot-run.sh ROOT [NAME=VALUE]... CMD [ARGS]...
#
# Leading NAME=VALUE words are passed into the root's environment (as with
# env(1)); nothing else from the caller's environment is. Mounts /proc, /dev,
# /dev/pts and /dev/shm under ROOT unless already mounted there, and
# bind-mounts each "HOSTDIR:GUESTDIR" pair listed (space separated) in
# CHROOT_BINDS. Exits with the command's exit code.
#
# The mounts are made in a private mount namespace (unshare -m), so several
# runs on the same ROOT at once do not unmount each other's /proc and /dev,
# and nothing is left mounted on the host even after SIGKILL. Where unshare
# is not permitted, or with CHROOT_RUN_SHARED_NS=1, they are made in the
# host's namespace instead. Either way everything this script mounted is
# unmounted on exit, failure, Ctrl-C or SIGTERM: a mount left behind would
# make a later `rm -rf ROOT` delete the host's /dev.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: chroot-run.sh ROOT [NAME=VALUE]... CMD [ARGS]..." >&2
  exit 2
fi
if [[ $EUID -ne 0 ]]; then
  echo "chroot-run.sh: must run as root (chroot and mount)" >&2
  exit 2
fi

root=$(realpath -e -- "$1")
shift
if [[ $root == / ]]; then
  echo "chroot-run.sh: refusing to use / as the root" >&2
  exit 2
fi

# Re-run this script in a private mount namespace (same pid: unshare execs).
if [[ -z ${CHROOT_RUN_IN_NS:-} && -z ${CHROOT_RUN_SHARED_NS:-} ]] &&
  unshare --mount --propagation private true 2>/dev/null; then
  CHROOT_RUN_IN_NS=1 exec unshare --mount --propagation private -- "$BASH" "$0" "$root" "$@"
fi

mounted=() # mount points we created, in mount order
child=

# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
  local rc=$? i mp
  trap '' INT TERM HUP
  # Stop the command first: a process still inside a mount keeps it busy.
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    mp=${mounted[i]}
    # Retry briefly (late-exiting grandchildren), then detach lazily so the
    # mount is gone from the namespace either way.
    umount "$mp" 2>/dev/null || { sleep 1; umount "$mp" 2>/dev/null; } ||
      umount -l "$mp" || echo "chroot-run.sh: could not unmount $mp" >&2
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

is_mounted() { mountpoint -q -- "$1"; }

# mount_at TARGET MOUNT-ARGS...: mount unless something is there already.
mount_at() {
  local target=$1
  shift
  is_mounted "$target" && return 0
  mkdir -p -- "$target"
  if ! mount "$@" "$target"; then
    echo "chroot-run.sh: mount $* $target failed" >&2
    if [[ " $* " == *" --bind "* ]]; then
      echo "chroot-run.sh: if bind mounts are not permitted here, copy the files into $root instead" >&2
    fi
    exit 1
  fi
  mounted+=("$target")
}

mount_at "$root/proc" -t proc proc
mount_at "$root/dev" --bind /dev
mount_at "$root/dev/pts" --bind /dev/pts
mount_at "$root/dev/shm" --bind /dev/shm

for pair in ${CHROOT_BINDS:-}; do
  host=${pair%%:*}
  guest=${pair#*:}
  if [[ $pair != *:* || -z $host || $guest != /* ]]; then
    echo "chroot-run.sh: CHROOT_BINDS entry '$pair' is not HOSTDIR:/GUESTDIR" >&2
    exit 2
  fi
  if [[ ! -d $host ]]; then
    echo "chroot-run.sh: CHROOT_BINDS: $host is not a directory" >&2
    exit 2
  fi
  mount_at "$root$guest" --bind "$(realpath -- "$host")"
done

# Run in the background and wait, so that a SIGTERM sent to this script runs
# the trap at once instead of after the command ends; stdin is passed on.
exec 3<&0
chroot "$root" /usr/bin/env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
  "$@" <&3 &
child=$!
set +e
wait "$child"
rc=$?
set -e
child=
exit "$rc"
