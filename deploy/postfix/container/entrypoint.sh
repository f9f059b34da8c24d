#!/bin/sh
# Writes Postfix's main.cf and master.cf from the environment, then runs Postfix in the
# foreground (logging to stdout), so the container runtime sees its exit and its log.
#
#   PIXELWARDEN_MILTER  smtpd_milters (default inet:127.0.0.1:8894; a unix socket in a
#                       shared volume: unix:/run/pixelwarden/milter.sock)
#   MILTER_DEFAULT_ACTION  when the milter is down (default tempfail: nothing is lost)
#   SMTP_LISTEN         the smtpd listener, master.cf's service field (default 25;
#                       e.g. 127.0.0.1:2525)
#   RELAYHOST           where accepted mail goes next (default: the recipient's MX;
#                       e.g. [mailstore.example]:25)
#   RELAY_DOMAINS       domains this gateway accepts mail for (default: none: only
#                       MYNETWORKS may send, e.g. a test)
#   MYNETWORKS          clients that may relay anywhere (default 127.0.0.0/8)
#   MYHOSTNAME          (default: the container's hostname)
#   POSTFIX_EXTRA       more main.cf lines, "key = value" separated by ';'
set -eu

conf=/etc/postfix
: >"$conf/main.cf"
postconf -e \
  "compatibility_level = 3.6" \
  "myhostname = ${MYHOSTNAME:-$(hostname -f 2>/dev/null || hostname)}" \
  "mydestination =" \
  "local_recipient_maps =" \
  "alias_maps =" \
  "alias_database =" \
  "inet_protocols = ipv4" \
  "mynetworks = ${MYNETWORKS:-127.0.0.0/8}" \
  "relay_domains = ${RELAY_DOMAINS:-}" \
  "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
  "relayhost = ${RELAYHOST:-}" \
  "smtpd_milters = ${PIXELWARDEN_MILTER:-inet:127.0.0.1:8894}" \
  "non_smtpd_milters = \$smtpd_milters" \
  "milter_default_action = ${MILTER_DEFAULT_ACTION:-tempfail}" \
  "milter_protocol = 6" \
  "milter_connect_timeout = 10s" \
  "milter_command_timeout = 30s" \
  "milter_content_timeout = 300s" \
  "maillog_file = /dev/stdout" \
  "biff = no" \
  "append_dot_mydomain = no" \
  "smtp_dns_support_level = enabled" \
  "message_size_limit = 52428800"
if [ -n "${POSTFIX_EXTRA:-}" ]; then
  echo "$POSTFIX_EXTRA" | tr ';' '\n' | while IFS= read -r line; do
    [ -z "$line" ] || postconf -e "$line"
  done
fi

# master.cf: the smtpd listener where asked, and no chroot (Debian's default chroots
# smtpd into /var/spool/postfix, which a container's own root makes unnecessary; a unix
# milter socket can then live anywhere, e.g. a volume shared with pixelwarden).
listen=${SMTP_LISTEN:-25}
awk -v listen="$listen" '
  /^[#[:space:]]/ || NF < 8 { print; next }
  { if ($1 == "smtp" && $2 == "inet") $1 = listen; $5 = "n"; print }
' /usr/share/postfix/master.cf.dist >"$conf/master.cf"
# Debian resolves through these copies even without chroot.
for f in resolv.conf hosts services nsswitch.conf; do
  [ -e /etc/$f ] && cp -f /etc/$f /var/spool/postfix/etc/ 2>/dev/null || true
done
rm -f /var/spool/postfix/pid/master.pid
postfix check
exec postfix start-fg
