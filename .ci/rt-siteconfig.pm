# triage-tui: settings for the real-server tests (tests/real/rt_server.py).
# Installed by .ci/setup-real-helpdesks.sh as RT_SiteConfig.d/90-triage-tui.pm.
# Every value comes from a TRIAGE_RT_* variable that only the test fixture
# sets, so an `rt-server` started without them keeps the Debian defaults.
if ($ENV{TRIAGE_RT_BASEURL}) {
    Set($WebPath, "");
    Set($WebBaseURL, $ENV{TRIAGE_RT_BASEURL});
    # A private copy of the database per test session.
    Set($DatabaseName, $ENV{TRIAGE_RT_DB}) if $ENV{TRIAGE_RT_DB};
    if ($ENV{TRIAGE_RT_LOGDIR}) {
        Set($LogDir, $ENV{TRIAGE_RT_LOGDIR});
        Set($LogToFile, "warning");
        Set($LogToFileNamed, "rt.log");
    }
    Set($LogToSTDERR, "error");
    # Every REST2 request verifies its password or token with bcrypt: at RT's
    # default cost (12) that is ~0.28 s per request, which would dominate the
    # suite. Users and tokens the tests create are hashed at cost 4 instead.
    Set($BcryptCost, 4);
    # Outgoing mail is appended to an mbox file under RT's var directory, never sent.
    Set($MailCommand, "mbox");
}
1;
