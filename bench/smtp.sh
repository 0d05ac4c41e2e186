#!/usr/bin/env bash
# notifier-email's SMTP connections alone: emails sent one after the other to GreenMail, a connection per
# email (JavaMailSenderImpl.send) vs kept open (SmtpConnections); CPU of the sending thread and wall time per
# email. Not one of the numbered parts (bench/README.md): it measures one fix that e2e.sh's noise hides.
#   bench/smtp.sh [EMAILS_PER_ROUND=1000] [ROUNDS=4]   (about 3 minutes: GreenMail takes ~45 ms per new connection)
# Writes bench/target-results/smtp.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EMAILS="${1:-1000}"; ROUNDS="${2:-4}"
cd "$ROOT"
./mvnw -q -B -pl notifier-email -am test-compile
./mvnw -q -B -pl notifier-email dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/classpath.txt
mkdir -p bench/target-results
java -cp "notifier-email/target/test-classes:notifier-email/target/classes:$(cat notifier-email/target/classpath.txt)" \
  io.seatwatch.notifier.email.SmtpConnectionsBench "$EMAILS" "$ROUNDS" 2>/dev/null | tee bench/target-smtp-output.txt
sed -n '/^[0-9]* emails per round/,$p' bench/target-smtp-output.txt > bench/target-results/smtp.md
