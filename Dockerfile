# syntax=docker/dockerfile:1
# TerritoryAtlas web app.  Build: docker build -t territoryatlas .   (or: docker compose build)
# The image runs the app's verbs: serve (default), migrate, import [--if-changed].

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The web project's build runs `npm ci` (browser libraries copied into wwwroot/lib).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig global.json* ./
# geodata/*.json and indicators/*.json (manifests, catalogue) are published next to the app, where the importer
# reads them; the data itself is mounted at ATLAS_DATA.
COPY geodata/ geodata/
COPY indicators/ indicators/
COPY src/ src/
RUN --mount=type=cache,target=/root/.nuget/packages \
    --mount=type=cache,target=/root/.npm \
    dotnet publish src/TerritoryAtlas.Web -c Release -o /app -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# MALLOC_ARENA_MAX: glibc gives each busy thread a malloc arena of its own and keeps freed native memory in them;
# with 110 open map pages that was ~120 MB of resident arenas; with 2 arenas the process's anonymous memory was
# 164 MB instead of 266 MB (~0.5 MB less RSS per open page, bench/map.sh).
ENV ASPNETCORE_URLS=http://+:8080 \
    ATLAS_DATA=/data \
    MALLOC_ARENA_MAX=2
COPY --from=build /app ./
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "TerritoryAtlas.Web.dll"]
CMD ["serve"]
