#!/bin/bash
# A scripted device behind telnetd (run as its login program, one process per connection, on a pty):
# prints a banner, asks for a login, then answers one command per line after the prompt 'device> '.
# Reads ./config (beside this script) at every connection: USER_NAME, PASSWORD, ECHO (on: echo
# every command, even when the client asked telnetd not to). Notes what happens in ./sessions.log
# as '<session> <event> ...'.
dir=$(dirname "$0")
. "$dir/config"
session=$$
note() { echo "$session $*" >> "$dir/sessions.log"; }
insist_on_echo() { if [ "$ECHO" = on ]; then stty echo; fi; }
trap 'note closed' EXIT
note open

printf 'Welcome to the test device\nAuthorized use only.\nLast login: never > #\n\n'
while true; do
  printf 'login: '
  insist_on_echo
  IFS= read -r user || exit 0
  printf 'Password: '
  stty -echo
  IFS= read -r password || exit 0
  stty echo
  printf '\n'
  if [ "$user" = "$USER_NAME" ] && [ "$password" = "$PASSWORD" ]; then
    break
  fi
  note login-failed "$user"
  printf 'Login incorrect\n\n'
done
note login "$user"

while true; do
  printf 'device> '
  insist_on_echo
  IFS= read -r line || exit 0
  note command "$line"
  case "$line" in
    status) echo 'status: ok' ;;
    PING) echo 'PONG' ;;
    HELLO\ *) set -- $line; note hello "$2" "$3"; echo "welcome $2, token $3" ;;
    say\ *) echo "said ${line#say }" ;;
    lines\ *) for ((i = 1; i <= ${line#lines }; i++)); do echo "line $i"; done ;;
    flood\ *) head -c "${line#flood }" /dev/zero | tr '\0' 'x'; echo ;;
    sleep\ *) sleep "${line#sleep }"; echo 'slept' ;;
    '') ;;
    *) echo "unknown command: $line" ;;
  esac
done
