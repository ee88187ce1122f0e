using System.Security.Cryptography;
using System.Text;

namespace MultiAgent.Persistence;

/// <summary>One versioned schema migration (an embedded <c>Migrations/NNNN_name.sql</c>).</summary>
/// <param name="Version">The version, from the file name's number.</param>
/// <param name="Name">The rest of the file name, e.g. "initial".</param>
/// <param name="Sql">The script.</param>
/// <param name="Checksum">SHA-256 (lowercase hex) of the script with line endings normalised to LF.</param>
public sealed record Migration(int Version, string Name, string Sql, string Checksum)
{
    /// <summary>A migration with its checksum computed from <paramref name="sql"/>.</summary>
    public static Migration Create(int version, string name, string sql)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return new Migration(version, name, sql, ChecksumOf(sql));
    }

    /// <summary>The checksum of a script; independent of CRLF/LF line endings.</summary>
    public static string ChecksumOf(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var normalised = sql.ReplaceLineEndings("\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }

    /// <summary>"0001_initial".</summary>
    public override string ToString() => $"{Version:D4}_{Name}";
}
