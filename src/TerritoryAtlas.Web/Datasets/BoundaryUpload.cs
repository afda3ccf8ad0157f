using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// A boundary layer as IGN ships ADMIN EXPRESS, uploaded as a dataset: a shapefile set in one .zip (COMMUNE.shp,
/// DEPARTEMENT.shp… with their .dbf, .shx, .prj, .cpg; the whole ADMIN EXPRESS tree may come zipped as downloaded) or
/// a GeoPackage holding one table per level. Which level the layer replaces is recognised from the layer's name
/// (DEPARTEMENT.shp, the GeoPackage's `departement` table), else from its columns (INSEE_DEP…), else from metadata
/// `level`; its COG vintage from metadata `vintage` (or `cog`), else from ADMIN EXPRESS COG's own names
/// (ADMIN-EXPRESS-COG_3-2__SHP_LAMB93_FXX_2024-02-22, ADECOG…-ED2024…). The features themselves are read by the
/// importer's <see cref="BoundaryFile"/>: one reader for the data directory and for uploads.
/// </summary>
public sealed partial class BoundaryUpload : IDisposable
{
    /// <summary>Levels whose layer can be replaced by an upload, with ADMIN EXPRESS's layer name and code column.</summary>
    public static readonly IReadOnlyDictionary<string, (string Layer, string CodeColumn)> Levels = new Dictionary<string, (string, string)>
    {
        ["region"] = ("REGION", "INSEE_REG"),
        ["departement"] = ("DEPARTEMENT", "INSEE_DEP"),
        ["epci"] = ("EPCI", "CODE_SIREN"),
        ["arrondissement"] = ("ARRONDISSEMENT", "INSEE_ARR"),
        ["commune"] = ("COMMUNE", "INSEE_COM"),
    };

    /// <summary>Entries a zip may hold (the whole ADMIN EXPRESS tree is a few hundred).</summary>
    public const int MaxZipEntries = 5_000;

    /// <summary>An entry inflating more than this many times its compressed size is a zip bomb (shapefiles deflate 2–6 times).</summary>
    public const int MaxCompressionRatio = 100;

    private static readonly string[] ShapefileParts = [".shp", ".shx", ".dbf", ".prj", ".cpg"];

    private readonly string? _directory;

    private BoundaryUpload(string level, string format, string layerName, string readPath, (string Code, string Name, string? Departement) columns,
        int vintage, string vintageFrom, string? directory)
    {
        (Level, Format, LayerName, ReadPath, _directory) = (level, format, layerName, readPath, directory);
        (CodeColumn, NameColumn, DepartementColumn, Vintage, VintageFrom) = (columns.Code, columns.Name, columns.Departement, vintage, vintageFrom);
    }

    public string Level { get; }
    public string Format { get; }

    /// <summary>The shapefile's path in the zip, or the GeoPackage's table.</summary>
    public string LayerName { get; }

    public string ReadPath { get; }
    public string CodeColumn { get; }
    public string NameColumn { get; }

    /// <summary>An arrondissement's département (INSEE_DEP): its code is the département's and INSEE_ARR's number (93 + 1: 93001).</summary>
    public string? DepartementColumn { get; }
    public int Vintage { get; }

    /// <summary>Where the vintage was read: "metadata" or the name that carries it.</summary>
    public string VintageFrom { get; }

    [GeneratedRegex(@"(?:ADMIN-EXPRESS-COG|ADECOG|ADE-COG|ADE_COG)[^/\\]*?((?:19|20)[0-9]{2})", RegexOptions.IgnoreCase)]
    private static partial Regex AdminExpressCog();

    [GeneratedRegex(@"COG[ _-]?((?:19|20)[0-9]{2})", RegexOptions.IgnoreCase)]
    private static partial Regex CogYear();

    /// <summary>Whether a contributed file is a boundary layer: a GeoPackage, a .zip by name, or a zip holding a .shp.</summary>
    public static bool Recognises(string path, string fileName)
    {
        var head = new byte[16];
        using (var probe = File.OpenRead(path))
        {
            probe.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (head.AsSpan().StartsWith("SQLite format 3\0"u8) || fileName.EndsWith(".gpkg", StringComparison.OrdinalIgnoreCase)
            || fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".shp", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (head is not [0x50, 0x4B, 0x03, 0x04, ..])
        {
            return false;
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.Entries.Any(e => e.FullName.EndsWith(".shp", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            // Not a zip that can be listed: the other readers say what is wrong with it.
            return false;
        }
    }

    /// <summary>Opens the upload at <paramref name="path"/>: unpacks a zip's layer (within <paramref name="maxInflatedBytes"/>), recognises level and vintage.</summary>
    /// <exception cref="ImportException">the file, the layer or what it says cannot be used; nothing is kept.</exception>
    public static BoundaryUpload Open(string path, string fileName, ContributionMetadata metadata, long maxInflatedBytes)
    {
        try
        {
            return OpenLayer(path, fileName, metadata, maxInflatedBytes);
        }
        catch (Exception e) when (e is not (ImportException or OperationCanceledException))
        {
            // A hostile or truncated file can break a reader anywhere: it is the file's problem, said as such.
            throw new ImportException(fileName, "file", $"cannot be read as a shapefile set or a GeoPackage ({e.GetType().Name}: {e.Message})");
        }
    }

    private static BoundaryUpload OpenLayer(string path, string fileName, ContributionMetadata metadata, long maxInflatedBytes)
    {
        if (metadata.Level is { } asked && !Levels.ContainsKey(asked))
        {
            throw new ImportException(fileName, "metadata level", $"'{asked}' is not a level whose boundaries an upload replaces ({string.Join(", ", Levels.Keys)})");
        }

        var head = new byte[16];
        using (var probe = File.OpenRead(path))
        {
            probe.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (head.AsSpan().StartsWith("SQLite format 3\0"u8))
        {
            return OpenGeoPackage(path, fileName, metadata);
        }

        if (fileName.EndsWith(".gpkg", StringComparison.OrdinalIgnoreCase))
        {
            throw new ImportException(fileName, "file", "not a GeoPackage (no SQLite header)");
        }

        if (fileName.EndsWith(".shp", StringComparison.OrdinalIgnoreCase))
        {
            throw new ImportException(fileName, "file", "a shapefile is several files: send COMMUNE.shp (or DEPARTEMENT.shp…) with its .dbf, .shx, .prj and .cpg in one .zip");
        }

        return OpenZip(path, fileName, metadata, maxInflatedBytes);
    }

    private static BoundaryUpload OpenGeoPackage(string path, string fileName, ContributionMetadata metadata)
    {
        var tables = BoundaryFile.GeoPackageTables(path, fileName);
        if (tables.Count == 0)
        {
            throw new ImportException(fileName, "file", "the GeoPackage holds no feature table");
        }

        var table = Choose(tables, t => t, fileName, metadata.Level, "feature tables");
        var (level, columns) = Recognise(fileName, table, BoundaryFile.Columns(path, fileName, Layer(path, "geopackage", table)), metadata.Level);
        var (vintage, from) = VintageOf(fileName, [fileName, table], metadata);
        return new BoundaryUpload(level, "geopackage", table, path, columns, vintage, from, null);
    }

    private static BoundaryUpload OpenZip(string path, string fileName, ContributionMetadata metadata, long maxInflatedBytes)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            throw new ImportException(fileName, "file", $"not a zip archive ({e.Message}): send the shapefile set zipped, or a GeoPackage (.gpkg)");
        }

        using (zip)
        {
            if (zip.Entries.Count > MaxZipEntries)
            {
                throw new ImportException(fileName, "zip", $"{zip.Entries.Count} entries, more than {MaxZipEntries}: not an ADMIN EXPRESS delivery");
            }

            var shapefiles = zip.Entries.Where(e => e.FullName.EndsWith(".shp", StringComparison.OrdinalIgnoreCase)).Select(e => e.FullName).ToList();
            if (shapefiles.Count == 0)
            {
                throw new ImportException(fileName, "zip", "the zip holds no .shp: an ADMIN EXPRESS layer is COMMUNE.shp, DEPARTEMENT.shp, REGION.shp or EPCI.shp with its .dbf, .shx, .prj and .cpg");
            }

            var shp = Choose(shapefiles, s => Path.GetFileNameWithoutExtension(s), fileName, metadata.Level, "shapefiles");
            var directory = Path.Combine(Path.GetTempPath(), $"atlas-boundaries-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            try
            {
                var stem = shp[..^4];
                long inflated = 0;
                foreach (var extension in ShapefileParts)
                {
                    var entry = zip.Entries.FirstOrDefault(e => e.FullName.Equals(stem + extension, StringComparison.OrdinalIgnoreCase));
                    if (entry is null)
                    {
                        switch (extension)
                        {
                            case ".dbf":
                                throw new ImportException(fileName, Path.GetFileName(stem) + ".dbf",
                                    $"missing beside {Path.GetFileName(shp)}: the .dbf holds the codes and names of the features");
                            case ".prj" when metadata.Srid is null:
                                throw new ImportException(fileName, Path.GetFileName(stem) + ".prj",
                                    $"missing beside {Path.GetFileName(shp)}: the coordinate system is unknown (add the .prj, or give metadata srid 2154 or 4326)");
                            default:
                                continue;
                        }
                    }

                    // Never trust the archive's own sizes: count what actually inflates.
                    if (entry.Length > 10L << 20 && entry.Length > MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
                    {
                        throw new ImportException(fileName, entry.FullName,
                            $"inflates {entry.Length / Math.Max(1, entry.CompressedLength)} times its compressed size: refused as a zip bomb");
                    }

                    using var source = entry.Open();
                    using var target = File.Create(Path.Combine(directory, "layer" + extension.ToLowerInvariant()));
                    var buffer = new byte[81920];
                    int read;
                    long written = 0;
                    while ((read = source.Read(buffer)) > 0)
                    {
                        written += read;
                        inflated += read;
                        if (written > entry.Length || inflated > maxInflatedBytes)
                        {
                            throw new ImportException(fileName, entry.FullName,
                                $"inflates past {(written > entry.Length ? "its declared size" : $"the limit of {maxInflatedBytes / (1024 * 1024)} MB")}: refused as a zip bomb");
                        }

                        target.Write(buffer, 0, read);
                    }
                }

                var readPath = Path.Combine(directory, "layer.shp");
                var (level, columns) = Recognise(fileName, Path.GetFileNameWithoutExtension(shp),
                    BoundaryFile.Columns(readPath, fileName, Layer(readPath, "shapefile", null)), metadata.Level);
                var (vintage, from) = VintageOf(fileName, [fileName, shp], metadata);
                return new BoundaryUpload(level, "shapefile", shp, readPath, columns, vintage, from, directory);
            }
            catch
            {
                Directory.Delete(directory, recursive: true);
                throw;
            }
        }
    }

    /// <summary>The one layer the upload is about: the one of the level asked, else the only one, else the only one of a known level.</summary>
    private static string Choose(IReadOnlyList<string> layers, Func<string, string> name, string fileName, string? level, string what)
    {
        var known = layers.Where(l => LevelOfName(name(l)) is not null).ToList();
        if (level is not null)
        {
            var matching = layers.Where(l => LevelOfName(name(l)) == level).ToList();
            return matching.Count switch
            {
                1 => matching[0],
                0 when layers.Count == 1 => layers[0],
                0 => throw new ImportException(fileName, "layers", $"no {Levels[level].Layer} layer among the {what}: {string.Join(", ", layers)}"),
                _ => throw new ImportException(fileName, "layers",
                    $"several {Levels[level].Layer} layers ({string.Join(", ", matching)}): upload one territory's layer at a time (ADMIN EXPRESS ships metropolitan France and each overseas département apart)"),
            };
        }

        return layers.Count == 1 ? layers[0]
            : known.Count == 1 ? known[0]
            : throw new ImportException(fileName, "layers",
                $"{layers.Count} {what} ({string.Join(", ", layers.Take(20))}): say which level the upload replaces in metadata level ({string.Join(", ", Levels.Keys)})");
    }

    private static string? LevelOfName(string layer) =>
        Levels.FirstOrDefault(l => string.Equals(l.Value.Layer, layer.Trim(), StringComparison.OrdinalIgnoreCase)).Key;

    /// <summary>
    /// The level, code column, name column (and an arrondissement's département column): the level from the layer's
    /// name, else its columns, else metadata, checked against the columns.
    /// </summary>
    private static (string Level, (string Code, string Name, string? Departement) Columns) Recognise(string fileName, string layerName,
        IReadOnlyList<string> columns, string? asked)
    {
        string? Column(string wanted) => columns.FirstOrDefault(c => string.Equals(c, wanted, StringComparison.OrdinalIgnoreCase));
        var level = asked ?? LevelOfName(layerName)
            ?? (Column("INSEE_COM") is not null ? "commune"
                : Column("CODE_SIREN") is not null ? "epci"
                : Column("INSEE_ARR") is not null ? "arrondissement"
                : Column("INSEE_DEP") is not null ? "departement"
                : Column("INSEE_REG") is not null ? "region" : null)
            ?? throw new ImportException(fileName, layerName,
                $"which level this layer replaces is not recognised (neither its name nor its columns: {string.Join(", ", columns)}): give metadata level ({string.Join(", ", Levels.Keys)})");
        var codeColumn = Levels[level].CodeColumn;
        var code = Column(codeColumn) ?? throw new ImportException(fileName, layerName,
            $"no {codeColumn} column (the {level}'s INSEE code in ADMIN EXPRESS); its columns: {string.Join(", ", columns)}");
        var suffix = level switch { "region" => "REG", "departement" => "DEP", "arrondissement" => "ARR", "commune" => "COM", _ => "EPCI" };
        var name = Column("NOM") ?? Column("NOM_" + suffix) ?? Column("NOM_M") ?? code;
        // ADMIN EXPRESS numbers an arrondissement within its département (INSEE_ARR 1, INSEE_DEP 93); the atlas's code
        // is both, as the data directory's layer has it (93001).
        var departement = level != "arrondissement" ? null : Column("INSEE_DEP") ?? throw new ImportException(fileName, layerName,
            $"no INSEE_DEP column: an arrondissement's code is its département's and its number (INSEE_DEP 93, INSEE_ARR 1: 93001); its columns: {string.Join(", ", columns)}");
        return (level, (code, name, departement));
    }

    private static (int Vintage, string From) VintageOf(string fileName, IEnumerable<string> names, ContributionMetadata metadata)
    {
        if ((metadata.Vintage ?? metadata.Cog) is { } given)
        {
            return given is >= 1943 and <= 2100
                ? (given, "metadata")
                : throw new ImportException(fileName, "metadata vintage", $"{given} is not a COG year (e.g. 2024)");
        }

        foreach (var name in names)
        {
            if ((AdminExpressCog().Match(name) is { Success: true } m ? m : CogYear().Match(name)) is { Success: true } match)
            {
                return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), name);
            }
        }

        throw new ImportException(fileName, "vintage",
            "the COG vintage of the layer is not in its names (ADMIN-EXPRESS-COG…2024…): give metadata vintage, the COG year of its codes (e.g. 2024)");
    }

    private static BoundaryLayer Layer(string path, string format, string? table, string code = "", string name = "", int srid = 4326,
        string level = "", string? departement = null) =>
        new(level, path, code, name, srid, "", "", "", null, departement, format, table);

    /// <summary>
    /// The layer's features in WGS84 (Lambert-93 reprojected by ProjNET, as at import). Features without a code,
    /// duplicated or without a polygon are listed in <paramref name="problems"/> and left out.
    /// </summary>
    public List<BoundaryFeature> Read(string fileName, int? srid, List<RowProblem> problems, out string crs)
    {
        var declared = "";
        try
        {
            var features = BoundaryFile.Read(ReadPath, fileName, Layer(ReadPath, Format, Format == "geopackage" ? LayerName : null, CodeColumn, NameColumn, srid ?? 4326,
                    Level, DepartementColumn),
                problems, (epsg, where) => declared = $"EPSG:{epsg}{(epsg == Territories.Lambert93.Srid ? " (Lambert-93)" : epsg == 4326 ? " (WGS84)" : "")}, {(where == "default" ? "metadata srid" : where)}");
            crs = declared;
            return features;
        }
        catch (Exception e) when (e is not (ImportException or OperationCanceledException))
        {
            throw new ImportException(fileName, LayerName, $"cannot be read ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>France's extent, metropolitan and each overseas département, with a margin: a feature outside is misplaced.</summary>
    private static readonly Envelope[] France =
    [
        new(-5.8, 10.0, 41.0, 51.5), // metropolitan France and Corsica
        new(-62.0, -60.8, 15.7, 16.7), // Guadeloupe
        new(-61.4, -60.7, 14.2, 15.0), // Martinique
        new(-54.8, -51.4, 1.9, 6.0), // Guyane
        new(55.1, 56.0, -21.6, -20.7), // La Réunion
        new(44.8, 45.5, -13.2, -12.5), // Mayotte
    ];

    /// <summary>Whether a WGS84 outline lies within France (metropolitan or one overseas département).</summary>
    public static bool InFrance(Geometry geometry) => France.Any(f => f.Contains(geometry.EnvelopeInternal));

    public void Dispose()
    {
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>A territory of the level in force that the uploaded layer does not hold, and what publishing does to it.</summary>
/// <param name="Outcome">"without_polygon": the new layer covers where it was (merged, re-cut): it keeps its code and
/// figures but has no polygon in this vintage; "kept": the layer does not reach it (e.g. metropolitan France only): it
/// keeps its previous polygon and vintage.</param>
public sealed record MissingTerritory(string Code, string Name, string Outcome);

/// <summary>A feature whose geometry PostGIS made valid (ST_MakeValid) before staging.</summary>
public sealed record RepairedFeature(int Feature, string Code);

/// <summary>What an uploaded boundary layer holds and what its publication would replace.</summary>
public sealed class BoundaryReport
{
    public const int MaxListed = 2_000;

    public string Level { get; set; } = "";
    public string Format { get; set; } = "";

    /// <summary>The shapefile's path in the zip, or the GeoPackage's table.</summary>
    public string Layer { get; set; } = "";

    /// <summary>The layer's COG year, and where it was read (metadata, or the ADMIN EXPRESS name carrying it).</summary>
    public int Vintage { get; set; }
    public string VintageFrom { get; set; } = "";

    /// <summary>The newest COG year of the level's outlines in force (null: none says one).</summary>
    public int? VintageInForce { get; set; }

    /// <summary>The coordinate system found and where it was said (.prj, gpkg_spatial_ref_sys).</summary>
    public string Crs { get; set; } = "";

    public int Features { get; set; }

    /// <summary>Codes of the layer the level has in force (their polygon is replaced).</summary>
    public int Matched { get; set; }

    /// <summary>Codes new to the level (a territory is added).</summary>
    public int New { get; set; }

    /// <summary>Territories in force the layer does not hold (see <see cref="MissingTerritory"/>).</summary>
    public int Missing { get; set; }
    public int Duplicates { get; set; }
    public int Repaired { get; set; }
    public int Empty { get; set; }

    /// <summary>The layer's extent in WGS84: west, south, east, north.</summary>
    public double[] Bbox { get; set; } = [];
    public List<string> NewCodes { get; init; } = [];
    public List<MissingTerritory> MissingTerritories { get; init; } = [];
    public List<RepairedFeature> RepairedFeatures { get; init; } = [];
    public List<string> Warnings { get; init; } = [];
}
