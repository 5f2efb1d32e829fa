#!/usr/bin/env bash
# Proves the README's two commands on a fresh Debian 12 machine: creates a
# minimal Debian 12 root with debootstrap (from the mirror this machine's apt
# already uses), puts a clean copy of the checkout (and ../shared, so the tests
# that need it run) inside, and runs there, with chroot:
#   bash scripts/demo.sh    (installs, builds, writes the demo's results)
#   bash scripts/test.sh    (installs, builds, runs every test)
# Everything the project needs must come from its own install step: nothing
# installed by hand on this machine is visible inside.
#
#   sudo bash scripts/fresh-check.sh [--keep]
#
# --keep leaves the root in place afterwards (its path is printed); by default it
# is unmounted and removed on every exit path. RKYOLO_FRESH_DIR chooses where the
# root is made (default /var/tmp). Needs root (chroot, mount) and debootstrap
# (installed from apt when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
suite=bookworm
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

say() { echo "fresh-check: $*"; }
die() { echo "fresh-check: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (it uses debootstrap, mount and chroot): sudo bash scripts/fresh-check.sh"

# The Debian archive URI this machine's apt uses for a suite, from deb822
# .sources files and one-line .list files alike (first match wins).
apt_uri_for_suite() {
  local want=$1 f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk -v want="$want" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no") {
          n = split(suites, s, " ")
          for (i = 1; i <= n; i++) if (s[i] == want) { split(uris, u, " "); print u[1]; found = 1; exit }
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      /^[ \t]*$/ { flush(); next }
      /^Types:/   { sub(/^Types:[ \t]*/, "");   types = $0 }
      /^URIs:/    { sub(/^URIs:[ \t]*/, "");    uris = $0 }
      /^Suites:/  { sub(/^Suites:[ \t]*/, "");  suites = $0 }
      /^Enabled:/ { sub(/^Enabled:[ \t]*/, ""); enabled = tolower($0) }
      END { if (!found) flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    # deb [options] URI SUITE COMPONENTS...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk -v want="$want" '$1 == "deb" && $3 == want { print $2 }'
  done
}

mirror=$(apt_uri_for_suite "$suite" | head -n 1)
[[ -n $mirror ]] || die "no apt source for Debian '$suite' on this machine (looked in /etc/apt/sources.list and /etc/apt/sources.list.d/): cannot tell which mirror to use"

if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap"
  env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

root=$(mktemp -d "${RKYOLO_FRESH_DIR:-/var/tmp}/rkyolo-fresh.XXXXXX")
chmod 755 "$root"  # it becomes "/": mktemp's 0700 would lock every user but root out
log="$root.debootstrap.log"

# Unmounts everything below the root, deepest first; true when nothing is left.
unmount_root() {
  local m
  for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  ! awk -v r="$root" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/mounts
}

cleanup() {
  local status=$?
  if ! unmount_root; then
    echo "fresh-check: could not unmount everything under $root; left it in place" >&2
    exit $(( status == 0 ? 1 : status ))
  fi
  if [[ $keep -eq 1 ]]; then
    say "kept the root at $root"
  else
    rm -rf --one-file-system "$root" "$log"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. A minimal Debian 12 root, with a few tries when the mirror does not answer.
t0=$(date +%s)
say "debootstrap --variant=minbase $suite from $mirror into $root"
tries=3
for ((try = 1; ; try++)); do
  if debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$log" 2>&1; then
    break
  fi
  if ((try == tries)); then
    tail -n 5 "$log" >&2
    die "could not make a Debian '$suite' root from the mirror $mirror after $tries tries (is it reachable from here?); debootstrap's last lines are above"
  fi
  say "debootstrap failed (try $try of $tries): $(tail -n 1 "$log"); retrying in $((try * 15)) s"
  unmount_root || die "a failed debootstrap left mounts under $root that could not be removed"
  find "$root" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system {} +
  sleep $((try * 15))
done
say "root ready in $(($(date +%s) - t0)) s"

# The chroot's apt sees the same Debian suites as this machine (updates, security).
: >"$root/etc/apt/sources.list"
for s in "$suite" "$suite-updates" "$suite-security"; do
  uri=$(apt_uri_for_suite "$s" | head -n 1)
  [[ -n $uri ]] && echo "deb $uri $s main" >>"$root/etc/apt/sources.list"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
grep -q localhost "$root/etc/hosts" 2>/dev/null || printf '127.0.0.1 localhost\n::1 localhost\n' >>"$root/etc/hosts"

# 2. A clean copy of the checkout (tracked files and untracked ones git does not
# ignore: no build trees, no outputs) and ../shared beside it.
mkdir -p "$root/work/rkyolo"
git -C "$repo" ls-files -z --cached --others --exclude-standard |
  (cd "$repo" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
  tar -C "$repo" --null -T - -cf - | tar -C "$root/work/rkyolo" -xf -
if [[ -d "$repo/../shared" ]]; then
  cp -a "$repo/../shared" "$root/work/shared"
else
  say "no ../shared beside the checkout: the tests that need it will skip"
fi

mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"

in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /work/rkyolo && $1"
}

# 3. The README's two commands, as a new user runs them.
t1=$(date +%s)
say "README command 1: bash scripts/demo.sh"
in_root "bash scripts/demo.sh" || die "the README's first command (bash scripts/demo.sh) failed on a fresh Debian 12 root: see its output above"
in_root "test -s out/demo/detections.json && ls out/demo/*.jpg >/dev/null" ||
  die "bash scripts/demo.sh exited 0 but left no out/demo/detections.json or no annotated images"
say "demo passed in $(($(date +%s) - t1)) s"
t2=$(date +%s)
say "README command 2: bash scripts/test.sh"
in_root "bash scripts/test.sh" || die "the README's second command (bash scripts/test.sh) failed on a fresh Debian 12 root: see its output above"
say "tests passed in $(($(date +%s) - t2)) s; whole fresh-root check $(($(date +%s) - t0)) s"
