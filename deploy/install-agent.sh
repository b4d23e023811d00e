#!/usr/bin/env bash
# Installs a Pharos probe agent on a VM (Debian/Ubuntu with Node.js >= 20.18):
#   sudo deploy/install-agent.sh --region UsEast --token pha_… \
#        --nats nats://agent-useast:PASSWORD@nats.example.net:4222 --ingest ingest.example.net:50051 [--tls]
# The agent connects out only: to NATS for jobs and to ingest for results.
set -euo pipefail
region="" token="" nats="" ingest="" tls=false
while [ $# -gt 0 ]; do
  case "$1" in
    --region) region="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --nats) nats="$2"; shift 2 ;;
    --ingest) ingest="$2"; shift 2 ;;
    --tls) tls=true; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$region" ] && [ -n "$token" ] && [ -n "$nats" ] && [ -n "$ingest" ] || { echo "need --region, --token, --nats and --ingest" >&2; exit 2; }
src="$(cd "$(dirname "$0")/.." && pwd)"
id -u pharos >/dev/null 2>&1 || useradd --system --home /opt/pharos --shell /usr/sbin/nologin pharos
mkdir -p /opt/pharos /etc/pharos
cp -r "$src"/. /opt/pharos/
(cd /opt/pharos && npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund)
umask 077
cat > /etc/pharos/agent.env <<ENV
PHAROS_REGION=$region
PHAROS_AGENT_TOKEN=$token
PHAROS_NATS_URL=$nats
PHAROS_INGEST_ADDRESS=$ingest
PHAROS_INGEST_TLS=$tls
ENV
chown root:pharos /etc/pharos/agent.env && chmod 0640 /etc/pharos/agent.env
install -m 0644 "$src/deploy/systemd/pharos-agent.service" /etc/systemd/system/pharos-agent.service
systemctl daemon-reload
systemctl enable --now pharos-agent
systemctl --no-pager status pharos-agent
