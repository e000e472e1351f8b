#!/usr/bin/env bash
# Makes the screenshots of the clerk's guide (docs/handleiding.md) again, from the real
# cockpit under Xvfb: runs the end-to-end tests that show those screens (through
# scripts/test.sh, which installs what is missing) and copies their screenshots to
# docs/handleiding/. The update screen comes from scripts/package.sh --test, when it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
shots="$(pwd)/target/handleiding"
rm -rf "$shots"
mkdir -p "$shots"
BALIE_SCREENSHOTS="$shots" bash scripts/test.sh -p balie-desktop --test cockpit_e2e -- \
  the_clerk_enrols_with_the_code_from_it \
  a_payment_asked_in_the_call_is_paid_by_the_citizen \
  the_case_of_the_call_comes_up_on_the_second_monitor
for name in cockpit-enrol cockpit-enrol-typo gesprek-knock gesprek-call-1280x860 \
  gesprek-payment-paid citizen-card-paid dossier-timeline-payment-paid \
  cockpit-connection cockpit-connection-revoked; do
  cp "$shots/$name.png" docs/handleiding/
done
update="${BALIE_SCREENSHOTS_PACKAGE:-target/screenshots}/package-update-offered.png"
[ -f "$update" ] && cp "$update" docs/handleiding/
ls -l docs/handleiding/
