#!/bin/sh
# Writes the secrets docker-compose.yml reads, each a random value in its own file under ./secrets/
# (git-ignored). The directory is yours alone; the files are readable so that the containers' own
# users (postgres, backout) can read the one file each is given. Existing files are kept: rotating a
# key is a decision, not a side effect.
set -eu
cd "$(dirname "$0")/.."
mkdir -p secrets
chmod 700 secrets
for name in postgres_password db_owner_password db_password secret_key audit_key; do
  if [ ! -s "secrets/$name" ]; then
    # Keys are base64 of 32 random bytes; passwords the same, so every secret is equally strong.
    openssl rand -base64 32 | tr -d '\n' > "secrets/$name"
    chmod 644 "secrets/$name"
    echo "secrets/$name written"
  fi
done
