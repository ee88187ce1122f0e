namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>Files of this repository's own tree that tests use as they are (the demo, tools' scripts).</summary>
public static class SourceTree
{
    /// <summary>The folder holding MultiAgent.sln, found upwards from the test's build output.</summary>
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MultiAgent.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("MultiAgent.sln not found above the test's folder");
    }
}
