#!/usr/bin/env bash
# Installs the Debian packages guwah needs when they are missing (as root), or names them.
set -euo pipefail

packages=(
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-uig tesseract-ocr-eng
  libmagic1 fonts-noto-cjk fonts-noto-core postgresql chromium
  libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui mdbtools djvulibre-bin
  libarchive13 libarchive-tools unar pst-utils cpio gcab xorriso
  libimage-exiftool-perl  # benchmarks/ingest.py --versus-exiftool
  openssl libpango-1.0-0 libpangoft2-1.0-0
  # PyICU (followthemoney → normality) ships no wheel: pip builds it against ICU
  libicu-dev pkg-config g++ python3-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "guwah needs these Debian packages, which are missing: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
