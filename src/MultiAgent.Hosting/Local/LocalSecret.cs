using System.Security.Cryptography;

namespace MultiAgent.Hosting.Local;

/// <summary>Secrets and secret-bearing files the AppHost keeps in the data folder, readable by their owner only.</summary>
public static class LocalSecret
{
    /// <summary>
    /// The secret kept in <paramref name="path"/>: generated once (48 hex digits) and kept (mode 0600), so that it
    /// survives restarts of the AppHost.
    /// </summary>
    public static string ReadOrCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        WriteOwnerOnly(path, secret);
        return secret;
    }

    /// <summary>Writes <paramref name="content"/> to a file that only its owner can read (created 0600, never wider).</summary>
    public static void WriteOwnerOnly(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, content);
            return;
        }

        // Created with the mode already set, so the secret is never readable by others, not even for a moment.
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        // An existing file keeps its old mode on open: narrow it.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
