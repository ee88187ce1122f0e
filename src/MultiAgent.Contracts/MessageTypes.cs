using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace MultiAgent.Contracts;

/// <summary>Message type names (<see cref="TaskEnvelope.Type"/>) and their CLR types.</summary>
public static class MessageTypes
{
    /// <summary>Type name of <see cref="Contracts.FeatureRequest"/>.</summary>
    public const string FeatureRequest = "feature.request";

    /// <summary>Type name of <see cref="Contracts.ImplementationRequest"/>.</summary>
    public const string ImplementationRequest = "implementation.request";

    /// <summary>Type name of <see cref="Contracts.ImplementationResult"/>.</summary>
    public const string ImplementationResult = "implementation.result";

    /// <summary>Type name of <see cref="Contracts.ReviewRequest"/>.</summary>
    public const string ReviewRequest = "review.request";

    /// <summary>Type name of <see cref="Contracts.ReviewResult"/>.</summary>
    public const string ReviewResult = "review.result";

    /// <summary>Type name of <see cref="Contracts.FeatureResult"/>.</summary>
    public const string FeatureResult = "feature.result";

    /// <summary>Type name of <see cref="Contracts.ApprovalDecision"/>.</summary>
    public const string ApprovalDecision = "approval.decision";

    /// <summary>Type name of <see cref="Contracts.ProjectRequest"/>.</summary>
    public const string ProjectRequest = "project.request";

    private static readonly FrozenDictionary<Type, string> NamesByType = new Dictionary<Type, string>
    {
        [typeof(Contracts.FeatureRequest)] = FeatureRequest,
        [typeof(Contracts.ImplementationRequest)] = ImplementationRequest,
        [typeof(Contracts.ImplementationResult)] = ImplementationResult,
        [typeof(Contracts.ReviewRequest)] = ReviewRequest,
        [typeof(Contracts.ReviewResult)] = ReviewResult,
        [typeof(Contracts.FeatureResult)] = FeatureResult,
        [typeof(Contracts.ApprovalDecision)] = ApprovalDecision,
        [typeof(Contracts.ProjectRequest)] = ProjectRequest,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Type> TypesByName =
        NamesByType.ToFrozenDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    /// <summary>Every registered type name.</summary>
    public static IReadOnlyCollection<string> All => TypesByName.Keys;

    /// <summary>Whether <paramref name="name"/> is a registered type name (ordinal, case-sensitive).</summary>
    public static bool IsKnown(string? name) => name is not null && TypesByName.ContainsKey(name);

    /// <summary>Looks up the type name of a CLR message type.</summary>
    public static bool TryGetName(Type type, [NotNullWhen(true)] out string? name)
    {
        ArgumentNullException.ThrowIfNull(type);
        return NamesByType.TryGetValue(type, out name);
    }

    /// <summary>Looks up the CLR type of a type name.</summary>
    public static bool TryGetClrType(string name, [NotNullWhen(true)] out Type? type)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TypesByName.TryGetValue(name, out type);
    }

    /// <summary>The type name of <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a registered message type.</exception>
    public static string NameOf<T>() => NameOf(typeof(T));

    /// <summary>The type name of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a registered message type.</exception>
    public static string NameOf(Type type) =>
        TryGetName(type, out var name)
            ? name
            : throw new ArgumentException($"{type.FullName} is not a registered message type.", nameof(type));

    /// <summary>The CLR type of a type name.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a registered type name.</exception>
    public static Type ClrTypeOf(string name) =>
        TryGetClrType(name, out var type)
            ? type
            : throw new ArgumentException($"'{name}' is not a registered message type name.", nameof(name));
}
