#!/usr/bin/env bash
# Sets up everything ragkernel needs on a fresh Debian machine; safe to run again (it only
# does what is missing). Needs Python 3.10+ and a C++20 compiler.
#
#   scripts/bootstrap.sh              system packages, .venv, the dev and embeddings extras
#   RAGKERNEL_EXTRAS=dev,embeddings,bench scripts/bootstrap.sh   more extras
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(g++ ninja-build pkg-config librocksdb-dev libeigen3-dev libxsimd-dev libgtest-dev
                 libbenchmark-dev libstemmer-dev libssl-dev nlohmann-json3-dev libicu-dev)
EXTRAS="${RAGKERNEL_EXTRAS:-dev,embeddings}"
# The BM25 benchmark's real corpus is the kernel documentation Debian ships.
if [[ ,$EXTRAS, == *,bench,* ]]; then SYSTEM_PACKAGES+=(linux-doc); fi
# The vector benchmark embeds passages of the Python documentation (reStructuredText sources).
if [[ ,$EXTRAS, == *,bench,* ]]; then SYSTEM_PACKAGES+=(python3-doc); fi
PYTHON="${PYTHON:-python3}"
VENV=.venv

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing system packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ! -x $VENV/bin/python ]]; then
  echo "bootstrap: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi

# Python dependencies are reinstalled only when pyproject.toml or the extras change.
stamp="$VENV/.ragkernel-deps-$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -c1-16)-${EXTRAS//,/_}"
if [[ ! -f $stamp ]]; then
  echo "bootstrap: installing Python build tools and the [$EXTRAS] extras"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # torch from the local CPU build first, so nothing pulls a CUDA build as a dependency.
  if [[ ,$EXTRAS, == *,embeddings,* || ,$EXTRAS, == *,bench,* ]]; then
    "$VENV/bin/python" -m pip install -q torch==2.13.0
  fi
  "$VENV/bin/python" -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.13" ninja cmake
  deps=$("$VENV/bin/python" - "$EXTRAS" <<'PY'
import sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = list(project["dependencies"])
for extra in filter(None, sys.argv[1].split(",")):
    deps += project["optional-dependencies"][extra]
print("\n".join(deps))
PY
)
  mapfile -t dep_list <<<"$deps"
  "$VENV/bin/python" -m pip install -q "${dep_list[@]}"
  rm -f "$VENV"/.ragkernel-deps-*
  touch "$stamp"
fi
