# Sourced by the benches that drive the HTTP API as an admin (datasets.sh, boundaries.sh): the app's CLI, a
# throw-away admin account with a bearer token, the app started on $PORT with the datasets' phase log in $LOG, timed
# API calls and medians. Needs REPO, PORT, OUT (a response file) and LOG (the app's log file) set by the caller.
WEB="$REPO/src/TerritoryAtlas.Web"
web() { (cd "$WEB" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll "$@"); }

admin_token() { # $1 a label → prints the bearer token of a new admin account
  local email; email="bench-$1-$(date +%s)@example.org"
  web user add "$email" --role admin >/dev/null
  web token create "$email" --days 1 | grep -o 'ata_[A-Za-z0-9_-]*' | head -1
}

start_app() { # the service logs where a publication's time went (each phase and its seconds): the benches print it
  # The schema first, as ./atlas run does: serving does not migrate, and a database behind the code answers 500.
  (cd "$WEB" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll migrate >/dev/null)
  (cd "$WEB" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error \
    Logging__LogLevel__TerritoryAtlas.Web.Datasets=Information dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll >"$LOG" 2>&1) & APP=$!
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
}

api() { # path, then curl options; prints the seconds, leaves the body in $OUT, fails on an HTTP error
  local path="$1" code
  shift
  code="$(curl -s -o "$OUT" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" "$@" "http://127.0.0.1:$PORT$path")"
  [[ "${code%% *}" == 2* ]] || { echo "$path answered ${code%% *}: $(head -c 600 "$OUT")" >&2; exit 1; }
  echo "${code#* }"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

phases_of() { # $1 version id: the app's log lines saying where its draft, publication and roll back spent their time
  grep -oE "(Dataset version|Boundary version|drafted as version) $1 .*" "$LOG" \
    | sed -E 's/^drafted as/draft:/; s/ from .* by [^:]*:/:/; s/ by [^(:]*( \(previous: [^)]*\))?:/\1:/; s/^/     /' || true
}
