-- What an endpoint speaks before TLS: 'tls' (TLS from the first byte, implicit TLS on 465/993/995 included) or a mail
-- protocol's STARTTLS, after which the server presents the chain Android mail apps judge.
ALTER TABLE endpoint ADD COLUMN protocol VARCHAR(20) NOT NULL DEFAULT 'tls'
  CONSTRAINT endpoint_protocol_known CHECK (protocol IN ('tls', 'smtp-starttls', 'imap-starttls', 'pop3-starttls'));
