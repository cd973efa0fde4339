using static Hangar.Server.Tests.BadInput.Hostile;

namespace Hangar.Server.Tests.BadInput;

/// <summary>Refused requests to a session's resources (add, get, rotate a token, delete, list).</summary>
public abstract class SessionResourceBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";
    private const string NotFound = "not_found_error";
    private const string Resources = "/v1/sessions/{session}/resources";

    private static string File(string extra) => """{"type":"file","file_id":"{file}" """ + "," + extra + "}";

    public static TheoryData<BadInputCase> Cases() =>
    [
        // Add.
        new("memory store", "POST", Resources, 400, Bad) { Json = """{"type":"memory_store","memory_store_id":"memstore_1"}""" },
        new("no type", "POST", Resources, 400, Bad) { Json = """{"file_id":"{file}"}""" },
        new("unknown type", "POST", Resources, 400, Bad) { Json = """{"type":"s3_bucket","bucket":"b"}""" },
        new("file_id missing", "POST", Resources, 400, Bad) { Json = """{"type":"file"}""" },
        new("file_id a number", "POST", Resources, 400, Bad) { Json = """{"type":"file","file_id":7}""" },
        new("file of other workspace", "POST", Resources, 404, NotFound) { Json = """{"type":"file","file_id":"{other_file}","mount_path":"/data/theirs"}""" },
        new("file id is a session id", "POST", Resources, 404, NotFound) { Json = """{"type":"file","file_id":"{session}","mount_path":"/data/s"}""" },
        new("relative mount path", "POST", Resources, 400, Bad) { Json = File("\"mount_path\":\"../etc\"") },
        new("mount path with dot-dot segment", "POST", Resources, 400, Bad) { Json = File("\"mount_path\":\"/workspace/../../etc/shadow\"") },
        new("mount path with NUL", "POST", Resources, 400, Bad) { Json = File($"\"mount_path\":\"/data/a{Nul}b\"") },
        new("mount path with lone surrogate", "POST", Resources, 400, Bad) { Json = File($"\"mount_path\":\"/data/{LoneSurrogate}\"") },
        new("mount path with newline", "POST", Resources, 400, Bad) { Json = File("\"mount_path\":\"/data/a\\nb\"") },
        new("mount path huge", "POST", Resources, 400, Bad) { Json = File($"\"mount_path\":\"/{new string('a', 100_000)}\""), Or413 = true },
        new("mount path a number", "POST", Resources, 400, Bad) { Json = File("\"mount_path\":5") },
        new("duplicate mount path", "POST", Resources, 400, Bad) { Json = File("\"mount_path\":\"/mnt/session/uploads/{file}\"") },
        new("github http url", "POST", Resources, 400, Bad) { Json = """{"type":"github_repository","url":"http://github.com/o/r"}""" },
        new("github url without repo", "POST", Resources, 400, Bad) { Json = """{"type":"github_repository","url":"https://github.com/"}""" },
        new("github url with traversal", "POST", Resources, 400, Bad) { Json = """{"type":"github_repository","url":"https://github.com/../../r"}""" },
        new("github checkout bad sha", "POST", Resources, 400, Bad) { Json = """{"type":"github_repository","url":"https://github.com/o/r","checkout":{"type":"commit","sha":"zz;rm -rf /"}}""" },
        new("github checkout unknown type", "POST", Resources, 400, Bad) { Json = """{"type":"github_repository","url":"https://github.com/o/r","checkout":{"type":"tag","name":"v1"}}""" },
        new("github branch name a number", "POST", Resources, 400, Bad) { Json = """{"type":"github_repository","url":"https://github.com/o/r","checkout":{"type":"branch","name":1}}""" },
        new("github token a number", "POST", Resources, 400, Bad) { Json = """{"type":"github_repository","url":"https://github.com/o/r","authorization_token":12345}""" },
        new("duplicate type key", "POST", Resources, 400, Bad) { Json = """{"type":"file","type":"github_repository","url":"https://github.com/o/r","file_id":"{file}"}""" },
        new("deep JSON", "POST", Resources, 400, Bad) { Json = DeepObjects(10_000), Or413 = true },
        new("add to archived session", "POST", "/v1/sessions/{archived}/resources", 409, "conflict_error") { Json = """{"type":"file","file_id":"{file}","mount_path":"/data/x"}""" },
        new("add to other workspace's session", "POST", "/v1/sessions/{other_session}/resources", 404, NotFound) { Json = """{"type":"file","file_id":"{file}","mount_path":"/data/x"}""" },
        // Get, update, delete, list.
        new("unknown resource", "GET", Resources + "/sesrsc_011CZkZBJq5dWxk9fVLNcPht", 404, NotFound),
        new("resource via other workspace", "GET", Resources + "/{file_resource}", 404, NotFound) { AsOtherWorkspace = true },
        new("resource through another session", "GET", "/v1/sessions/{archived}/resources/{file_resource}", 404, NotFound),
        new("resource id traversal", "GET", Resources + "/..%2F..%2Fsessions%2F{session}", 404, NotFound),
        new("token on a file resource", "POST", Resources + "/{file_resource}", 400, Bad) { Json = """{"authorization_token":"ghp_x"}""" },
        new("update with extra field", "POST", Resources + "/{file_resource}", 400, Bad) { Json = """{"authorization_token":"ghp_x","mount_path":"/etc"}""" },
        new("update token a number", "POST", Resources + "/{file_resource}", 400, Bad) { Json = """{"authorization_token":5}""" },
        new("update token empty", "POST", Resources + "/{file_resource}", 400, Bad) { Json = """{"authorization_token":""}""" },
        new("update token over 4096", "POST", Resources + "/{file_resource}", 400, Bad) { Json = $"{{\"authorization_token\":\"{new string('t', 4097)}\"}}" },
        new("update unknown resource", "POST", Resources + "/sesrsc_011CZkZBJq5dWxk9fVLNcPht", 404, NotFound) { Json = """{"authorization_token":"ghp_x"}""" },
        new("delete via other workspace", "DELETE", Resources + "/{file_resource}", 404, NotFound) { AsOtherWorkspace = true },
        new("delete unknown resource", "DELETE", Resources + "/sesrsc_011CZkZBJq5dWxk9fVLNcPht", 404, NotFound),
        new("delete from archived session", "DELETE", "/v1/sessions/{archived}/resources/{file_resource}", 404, NotFound),
        new("list limit over 1000", "GET", Resources + "?limit=1001", 400, Bad),
        new("list limit negative", "GET", Resources + "?limit=-1", 400, Bad),
        new("list garbage page", "GET", Resources + "?page=%ZZ", 400, Bad),
        new("list other workspace's", "GET", "/v1/sessions/{other_session}/resources", 404, NotFound),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, SessionBadInputTests.StatePaths);
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteSessionResourceBadInputTests(BadInputSeed server) : SessionResourceBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresSessionResourceBadInputTests(PostgresBadInputSeed server) : SessionResourceBadInputTests(server);
