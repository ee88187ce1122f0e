namespace MultiAgent.Contracts;

/// <summary>
/// The reply to a query that could not be answered. It travels with the header
/// <see cref="QueryHeaders.Status"/> = <see cref="QueryHeaders.StatusError"/>, so a client can tell it from an answer.
/// </summary>
/// <param name="Code">One of the <see cref="QueryErrorCodes"/>.</param>
public sealed record QueryError(string Code, string Message);

/// <summary>The codes of <see cref="QueryError"/>.</summary>
public static class QueryErrorCodes
{
    /// <summary>The request could not be read, or a field is invalid.</summary>
    public const string BadRequest = "bad_request";

    /// <summary>No such job.</summary>
    public const string NotFound = "not_found";

    /// <summary>The request is valid, but the job is in a state that does not allow it.</summary>
    public const string Conflict = "conflict";

    /// <summary>The Repo Manager failed to answer (its log says why).</summary>
    public const string Internal = "internal";
}

/// <summary>Headers on query replies.</summary>
public static class QueryHeaders
{
    public const string Status = "MultiAgent-Status";
    public const string StatusOk = "ok";
    public const string StatusError = "error";
}
