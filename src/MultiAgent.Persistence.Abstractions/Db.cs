using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace MultiAgent.Persistence.Sql;

/// <summary>
/// Typed parameters (so that NULLs have a type) and null-aware column readers: the one SQL helper of the job store, the
/// local-git pull requests and the transcripts.
/// </summary>
public static class Db
{
    /// <summary>Adds every parameter (<c>AddRange</c> cannot take a collection expression).</summary>
    public static void AddAll(this NpgsqlParameterCollection collection, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        foreach (var parameter in parameters)
        {
            collection.Add(parameter);
        }
    }

    public static NpgsqlParameter Text(string name, string? value) => Create(name, NpgsqlDbType.Text, value);

    public static NpgsqlParameter TextArray(string name, string[] values) =>
        Create(name, NpgsqlDbType.Array | NpgsqlDbType.Text, values);

    public static NpgsqlParameter Integer(string name, int? value) => Create(name, NpgsqlDbType.Integer, value);

    public static NpgsqlParameter Bigint(string name, long? value) => Create(name, NpgsqlDbType.Bigint, value);

    public static NpgsqlParameter Numeric(string name, decimal? value) => Create(name, NpgsqlDbType.Numeric, value);

    public static NpgsqlParameter Boolean(string name, bool value) => Create(name, NpgsqlDbType.Boolean, value);

    /// <summary>A timestamptz; Npgsql accepts only UTC offsets, so the value is normalised first.</summary>
    public static NpgsqlParameter Timestamp(string name, DateTimeOffset? value) =>
        Create(name, NpgsqlDbType.TimestampTz, value?.ToUniversalTime());

    /// <summary>A jsonb from raw JSON text.</summary>
    public static NpgsqlParameter Jsonb(string name, string? json) => Create(name, NpgsqlDbType.Jsonb, json);

    /// <summary>A jsonb from an element; an undefined element is stored as SQL NULL.</summary>
    public static NpgsqlParameter Jsonb(string name, JsonElement? value) =>
        Jsonb(name, value is { ValueKind: not JsonValueKind.Undefined } element ? element.GetRawText() : null);

    public static string? GetNullableString(this NpgsqlDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static T? GetNullable<T>(this NpgsqlDataReader reader, string column)
        where T : struct
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
    }

    public static T Get<T>(this NpgsqlDataReader reader, string column) =>
        reader.GetFieldValue<T>(reader.GetOrdinal(column));

    /// <summary>A jsonb column as a detached element, or null.</summary>
    public static JsonElement? GetJson(this NpgsqlDataReader reader, string column)
    {
        var json = reader.GetNullableString(column);
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Now, from <paramref name="time"/>, in UTC.</summary>
    public static DateTimeOffset UtcNow(this TimeProvider time) => time.GetUtcNow().ToUniversalTime();

    private static NpgsqlParameter Create(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };
}
