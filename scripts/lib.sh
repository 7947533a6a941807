# Shared by scripts/run and scripts/test: install missing Debian packages.
# Sourced, not run.

# need_pkgs PKG... installs the Debian packages that are not installed yet
# (as root, or with sudo when it works without a password). It prints what
# it installs and fails with a clear message when it cannot.
need_pkgs() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "cued: missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    echo "cued: missing packages ${missing[*]} and no apt-get to install them" >&2
    return 1
  fi
  echo "cued: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
  fi
}

# need_go checks for a Go toolchain new enough for go.mod.
need_go() {
  if ! command -v go >/dev/null; then
    [ -x /usr/local/go/bin/go ] && export PATH=$PATH:/usr/local/go/bin
  fi
  command -v go >/dev/null || { echo "cued: Go is not installed (https://go.dev/doc/install; go.mod names the version)" >&2; return 1; }
}
