#!/usr/bin/env bash
# infra/fonts/fetch.sh: puts the receipt font where the build expects it.
#
#   assets/fonts/wqy-microhei.ttc        WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0), the font
#                                        receipt-pdf reads (a file beside the Lambda binary) and subsets per PDF
#   assets/fonts/LICENSE-wqy-microhei    the Debian package's copyright file (license terms)
#
# Both files are build inputs, not sources: they are gitignored and come from the Debian package
# fonts-wqy-microhei (`apt-get download`, no root needed unless the package lists must be
# refreshed), checked against the pinned sha256 of the .ttc below. The .deb is cached in
# ${RP_CACHE_DIR:-$HOME/.cache/residence-platform}/fonts/, so a second clone or CI run on the
# same machine does not download it again.
#
# Idempotent: when the font is already in place with the right hash it only hashes it (~20 ms).
# infra/local/stack.sh (stack_ensure_deps) runs it before every build of make run/test/bench;
# run it by hand before a bare `cargo build`:   bash infra/fonts/fetch.sh
# The receipt-pdf build can also be pointed at another copy of the same file: RECEIPT_FONT=/path.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pkg=fonts-wqy-microhei
ttc_in_deb=usr/share/fonts/truetype/wqy/wqy-microhei.ttc
copyright_in_deb=usr/share/doc/$pkg/copyright
# sha256 of wqy-microhei.ttc in fonts-wqy-microhei 0.2.0-beta-3.1 (Debian 11-13, Ubuntu 22.04+).
ttc_sha256=2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3

dest_dir=$root/assets/fonts
dest=$dest_dir/wqy-microhei.ttc
license=$dest_dir/LICENSE-wqy-microhei
cache=${RP_CACHE_DIR:-$HOME/.cache/residence-platform}/fonts

log() { printf 'fonts: %s\n' "$*" >&2; }
die() {
    printf 'fonts: ERROR: %s\n' "$*" >&2
    exit 1
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f $dest && -f $license ]] && [[ $(sha "$dest") == "$ttc_sha256" ]]; then
    exit 0
fi

for tool in sha256sum dpkg-deb; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian/Ubuntu: it is part of the base system)"
done
mkdir -p "$cache" "$dest_dir" || die "cannot create $cache or $dest_dir"
tmp=$(mktemp -d "$cache/.tmp-XXXXXX") || die "cannot create a temp dir in $cache"
trap 'rm -rf "$tmp"' EXIT

# Extracts the font and the copyright file from .deb $1 and publishes them (each by an atomic
# rename, so a concurrent build never reads half a file). Returns 1 if the .deb is unusable.
install_from() {
    local deb=$1 x=$tmp/x
    rm -rf "$x"
    dpkg-deb -x "$deb" "$x" 2>/dev/null || { log "cannot unpack $deb"; return 1; }
    [[ -f $x/$ttc_in_deb && -f $x/$copyright_in_deb ]] || { log "$deb lacks $ttc_in_deb"; return 1; }
    local got
    got=$(sha "$x/$ttc_in_deb")
    if [[ $got != "$ttc_sha256" ]]; then
        log "$(basename "$deb"): wqy-microhei.ttc has sha256 $got, expected $ttc_sha256"
        return 1
    fi
    if ! { cp "$x/$copyright_in_deb" "$license.tmp.$$" && mv -f "$license.tmp.$$" "$license" &&
        cp "$x/$ttc_in_deb" "$dest.tmp.$$" && mv -f "$dest.tmp.$$" "$dest"; }; then
        rm -f "$license.tmp.$$" "$dest.tmp.$$"
        die "cannot write $dest or $license"
    fi
    rm -rf "$x"
    return 0
}

# 1. A .deb cached by an earlier run.
shopt -s nullglob
for deb in "$cache"/"$pkg"_*.deb; do
    if install_from "$deb"; then
        log "installed $dest from the cached $(basename "$deb")"
        exit 0
    fi
    log "removing the unusable cached $deb"
    rm -f "$deb"
done
shopt -u nullglob

# 2. Download it (into the temp dir, then into the cache).
command -v apt-get >/dev/null ||
    die "apt-get not found: on a machine without apt, put a copy of $pkg's wqy-microhei.ttc (sha256 $ttc_sha256) at $dest, or point RECEIPT_FONT at one"
apt_opts=(-qq)
# As root, apt drops to the _apt user to download, which cannot write to our temp dir.
if ((EUID == 0)); then apt_opts+=(-o APT::Sandbox::User=root); fi
download() { (cd "$tmp" && apt-get download "${apt_opts[@]}" "$pkg"); }
log "downloading $pkg (first time on this machine; 1.6 MB)"
if ! download; then
    # Unknown package or stale lists (a fresh container has none): refresh them once.
    log "refreshing the package lists (apt-get update) and retrying"
    if ((EUID == 0)); then
        apt-get update -qq || die "apt-get update failed"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n apt-get update -qq || die "sudo apt-get update failed"
    else
        die "apt-get download $pkg failed; run 'sudo apt-get update' and try again"
    fi
    download || die "apt-get download $pkg failed (is Debian's 'main' component in the apt sources?)"
fi
debs=("$tmp"/"$pkg"_*.deb)
[[ -f ${debs[0]} ]] || die "apt-get download left no $pkg .deb in $tmp"
install_from "${debs[0]}" || die "the downloaded $(basename "${debs[0]}") does not hold the expected font"
mv -f "${debs[0]}" "$cache/" || log "could not cache the .deb in $cache (continuing)"
log "installed $dest"
