#!/bin/sh
# The repository's check (.multiagent/check runs it): every line below must hold.
set -e
[ "$(sh greet.sh)" = "Hello!" ] || [ "$(sh greet.sh)" = "Hello, world!" ]
if grep -q '\$1' greet.sh; then
  [ "$(sh greet.sh Ada)" = "Hello, Ada!" ]
fi
echo "greet.sh: all checks passed"
