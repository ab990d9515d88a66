# triage-tui real-server tests: RT initialdata loaded into each session's
# private database copy by tests/real/servers.py (`rt-setup-database --action insert`).
#
# Agents are privileged users the console can assign to; `sam` is the API user
# (Basic auth with a password, and an auth token written to
# $ENV{TRIAGE_RT_TOKEN_FILE}); `triage-admin` is the seeder's superuser.
# Requesters are created by the seeder; everyone may create tickets and reply,
# as customers do by mail.

@Users = (
    # The seeder's administrator (creates queues, requesters and articles).
    { Name => 'triage-admin', RealName => 'Seeder', EmailAddress => 'admin@support.example',
      Privileged => 1, Password => 'triage-admin-pw' },
    { Name => 'sam',   RealName => 'Sam Rivera', EmailAddress => 'sam@support.example',
      Privileged => 1, Password => 'triage-sam-pw' },
    { Name => 'priya', RealName => 'Priya Nair', EmailAddress => 'priya@support.example',
      Privileged => 1 },
    { Name => 'mei',   RealName => 'Mei Chen',   EmailAddress => 'mei@support.example',
      Privileged => 1 },
);

@Groups = ( { Name => 'Agents', Description => 'Everyone who works the queues' } );

@Members = (
    { Group => 'Agents', Name => 'sam' },
    { Group => 'Agents', Name => 'priya' },
    { Group => 'Agents', Name => 'mei' },
);

@Queues = (
    { Name => 'Engineering', Description => 'Escalations to engineering' },
    { Name => 'Billing',     Description => 'Escalations to billing' },
);

my @agent_rights = qw(
    SeeQueue ShowTicket CreateTicket ReplyToTicket CommentOnTicket ShowTicketComments
    OwnTicket ModifyTicket TakeTicket StealTicket ReassignTicket Watch WatchAsAdminCc
    SeeCustomField ModifyCustomField ShowOutgoingEmail
);
my @customer_rights = qw(SeeQueue ShowTicket ReplyToTicket CreateTicket);

@ACL = (
    ( map { { GroupDomain => 'UserDefined', GroupId => 'Agents', Right => $_ } } @agent_rights ),
    ( map { { GroupDomain => 'UserDefined', GroupId => 'Agents', Right => $_, ObjectType => 'RT::Class', ObjectId => 'General' } }
        qw(SeeClass ShowArticle CreateArticle ModifyArticle) ),
    # Customers (the seeder writes their messages as themselves) may create and reply.
    ( map { { GroupDomain => 'SystemInternal', GroupType => 'Everyone', Right => $_ } } @customer_rights ),
    { UserId => 'sam', Right => 'ManageAuthTokens' },
    { UserId => 'triage-admin', Right => 'SuperUser' },
);

@Final = (
    sub {
        my $file = $ENV{TRIAGE_RT_TOKEN_FILE} or return;
        my $sam = RT::User->new( RT->SystemUser );
        $sam->Load('sam');
        my $token = RT::AuthToken->new( RT->SystemUser );
        my ( $ok, $msg, $authstring ) = $token->Create( Owner => $sam->Id, Description => 'triage-tui tests' );
        die "token: $msg" unless $ok;
        open my $fh, '>', $file or die "$file: $!";
        print $fh $authstring;
        close $fh;
    },
);
1;
