#!/usr/bin/env bash
# A longer fuzz of every documented operation with a random seed: every GET (OpenApiFuzzTests, FUZZ_ROUNDS rounds of
# 8 hostile values per parameter) and every write (OpenApiBodyFuzzTests: malformed JSON, hostile values per body
# property and path parameter, garbage uploads, FUZZ_ROUNDS rounds), and every workshop hub method (HubFuzzTests). Needs ATLAS_TEST_DB (an imported database) and a Release build; prints the seed so a failure replays.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ATLAS_TEST_DB:?set ATLAS_TEST_DB to an imported database}"
export FUZZ_SEED="${FUZZ_SEED:-$RANDOM$RANDOM}" FUZZ_ROUNDS="${FUZZ_ROUNDS:-10}"
echo "fuzz: seed $FUZZ_SEED, $FUZZ_ROUNDS rounds"
dotnet test tests/TerritoryAtlas.IntegrationTests -c Release --no-build --filter "FullyQualifiedName~TerritoryAtlas.IntegrationTests.Fuzz"
