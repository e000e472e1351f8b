#!/usr/bin/env bash
# Makes the screenshots of the clerk's guide (docs/handleiding.md) again, from the real
# cockpit under Xvfb: runs the end-to-end tests that show those screens (through
# scripts/test.sh, which installs what is missing) and copies their screenshots to
# docs/handleiding/.
set -euo pipefail
cd "$(dirname "$0")/.."
shots="$(pwd)/target/handleiding"
rm -rf "$shots"
mkdir -p "$shots"
BALIE_SCREENSHOTS="$shots" bash scripts/test.sh -p balie-desktop --test cockpit_e2e -- \
  the_clerk_enrols_with_the_code_from_it \
  a_payment_asked_in_the_call_is_paid_by_the_citizen \
  the_clerk_asks_dirk_who_he_is \
  an_update_is_offered_refused_when_forged
for name in cockpit-enrol cockpit-enrol-typo gesprek-knock gesprek-call-1280x860 \
  gesprek-payment-paid citizen-card-paid dossier-timeline-identity \
  cockpit-connection cockpit-connection-revoked gesprek-update-offered; do
  cp "$shots/$name.png" docs/handleiding/
done
ls -l docs/handleiding/
