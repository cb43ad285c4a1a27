#!/usr/bin/env bash
# Installs the Debian documentation packages whose text is the chunking benchmark's corpus
# (Linux kernel documentation in reStructuredText, the Python 3.11 documentation sources, the
# Perl documentation in POD).
# Benchmark set-up only: the tests never need them.
set -euo pipefail
PACKAGES=(linux-doc-6.1 python3.11-doc perl-doc)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "chunk corpus: installing ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
