#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes),
# etcd and kwok from the Go module proxy into .tools/kube/<version>/bin (cached: a finished build
# leaves a `done` marker and is not rebuilt). k8s.io/kubernetes carries replace directives, so a
# scratch module requires it and repeats one replace line per staging module, generated from
# its own go.mod. Only the Kubernetes tests and kubernetes drills need this (not `npm run demo`).
set -euo pipefail
K8S_VERSION="${K8S_VERSION:-1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-3.6.5}"
KWOK_VERSION="${KWOK_VERSION:-0.8.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.tools/kube/$K8S_VERSION-etcd$ETCD_VERSION-kwok$KWOK_VERSION"
[ "${1:-}" = --print-dir ] && { echo "$out"; exit 0; }
[ -f "$out/done" ] && { echo "$out/bin"; exit 0; }
export GOPATH="$root/.tools/go" GOMODCACHE="$root/.tools/go/mod" GOCACHE="$root/.tools/go/cache" GOFLAGS=-mod=mod GOTOOLCHAIN=local
mkdir -p "$out/bin" "$out/src/k8s" "$out/src/etcd"

# --- Kubernetes ---
cd "$out/src/k8s"
cat > go.mod <<MOD
module gameday.local/kube
go 1.24.0
godebug default=go1.24
require k8s.io/kubernetes v$K8S_VERSION
MOD
go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null
kmod="$GOMODCACHE/k8s.io/kubernetes@v$K8S_VERSION/go.mod"
staging_version="v0.${K8S_VERSION#1.}"
grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$kmod" | awk '{print $1}' | sort -u | while read -r m; do
  echo "replace $m => $m $staging_version" >> go.mod
done
cat > tools.go <<'GO'
//go:build tools
package tools
import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod tidy -e >/dev/null 2>&1 || true
go get "k8s.io/kubernetes@v$K8S_VERSION"
ld="-X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
go build -ldflags "$ld" -o "$out/bin/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl

# --- etcd ---
cd "$out/src/etcd"
cat > go.mod <<MOD
module gameday.local/etcd
go 1.24.0
require go.etcd.io/etcd/v3 v$ETCD_VERSION
replace (
	go.etcd.io/etcd/server/v3 => go.etcd.io/etcd/server/v3 v$ETCD_VERSION
	go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v$ETCD_VERSION
	go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 v$ETCD_VERSION
	go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 v$ETCD_VERSION
	go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 v$ETCD_VERSION
)
MOD
go get "go.etcd.io/etcd/v3@v$ETCD_VERSION"
# etcd 3.6's main package is the server module's root (the v3 root is a placeholder)
go build -o "$out/bin/etcd" go.etcd.io/etcd/server/v3

# --- kwok ---
GOBIN="$out/bin" go install "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
cp -r "$GOMODCACHE/sigs.k8s.io/kwok@v$KWOK_VERSION/kustomize/stage" "$out/kwok-stage"
chmod -R u+w "$out/kwok-stage"
# every binary runs (a library package built by mistake is an ar archive, not a program)
for b in kube-apiserver kube-controller-manager kube-scheduler etcd kwok; do
  "$out/bin/$b" --version >/dev/null || { echo "build-kube.sh: $out/bin/$b does not run" >&2; exit 1; }
done
"$out/bin/kubectl" version --client >/dev/null
touch "$out/done"
echo "$out/bin"
