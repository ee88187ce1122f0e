using Npgsql;
using NpgsqlTypes;

namespace MultiAgent.Repositories.Local;

/// <summary>Typed parameters (NULLs keep a type) for the local pull request store.</summary>
internal static class Sql
{
    public static NpgsqlParameter Text(string name, string? value) => Create(name, NpgsqlDbType.Text, value);

    public static NpgsqlParameter Integer(string name, int? value) => Create(name, NpgsqlDbType.Integer, value);

    public static NpgsqlParameter Jsonb(string name, string json) => Create(name, NpgsqlDbType.Jsonb, json);

    public static NpgsqlParameter Timestamp(string name, DateTimeOffset value) =>
        Create(name, NpgsqlDbType.TimestampTz, value.ToUniversalTime());

    public static void AddAll(this NpgsqlParameterCollection collection, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        foreach (var parameter in parameters)
        {
            collection.Add(parameter);
        }
    }

    public static string? GetNullableString(this NpgsqlDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static T Get<T>(this NpgsqlDataReader reader, string column) => reader.GetFieldValue<T>(reader.GetOrdinal(column));

    private static NpgsqlParameter Create(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };
}
