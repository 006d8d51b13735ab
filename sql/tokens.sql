--
-- covara token functions: hash_token, hmac_token, generate_token, token_equals
--
CREATE EXTENSION covara;

-- FIPS 180-4 / NIST example messages, with both SHA-256 implementations
-- ("auto" uses the CPU's SHA instructions when present, "portable" plain C).
CREATE TEMP TABLE fips (name text, msg text, digest text);
INSERT INTO fips VALUES
  ('abc', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
  ('empty', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
  ('448 bits', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
   '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'),
  ('896 bits', 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
   'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1'),
  ('one million a', repeat('a', 1000000),
   'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');

SET covara.sha256_implementation = auto;
SELECT name, covara.hash_token(msg) = digest AS text_ok,
       covara.hash_token(convert_to(msg, 'UTF8')) = digest AS bytea_ok,
       covara.hash_token(msg, 'hex') = digest AS hex_ok
  FROM fips ORDER BY length(msg);
SELECT current_setting('covara.sha256_in_use') IN ('sha-ni', 'portable') AS known_code;
SET covara.sha256_implementation = portable;
SHOW covara.sha256_in_use;
SELECT name, covara.hash_token(msg) = digest AS text_ok,
       covara.hash_token(convert_to(msg, 'UTF8')) = digest AS bytea_ok
  FROM fips ORDER BY length(msg);
RESET covara.sha256_implementation;
SHOW covara.sha256_implementation;
SET covara.sha256_implementation = fastest;
SET covara.sha256_in_use = 'portable';

-- The digest itself, and its base64 forms (Node: digest('base64') is
-- padded, digest('base64url') is not).
SELECT covara.hash_token('abc');
SELECT covara.hash_token('abc', 'base64') AS base64,
       covara.hash_token('abc', 'base64url') AS base64url,
       covara.hash_token('abc', 'HEX') = covara.hash_token('abc') AS names_ignore_case;
SELECT covara.hash_token('abc', 'base64') = encode(sha256('abc'), 'base64') AS base64_matches_core,
       covara.hash_token('abc', 'base64url') =
         rtrim(translate(encode(sha256('abc'), 'base64'), '+/', '-_'), '=') AS base64url_matches_core;
SELECT covara.hash_token('abc', 'base32');
SELECT covara.hash_token('abc', '');

-- Multibyte tokens hash as their UTF-8 bytes; the digests below come from
-- Node: crypto.createHash('sha256').update(token).digest('hex').
SELECT t, covara.hash_token(t) = d AS matches_node
  FROM (VALUES
    ('héllo wörld', 'a1003f7d04a4115711d0b48a2eaf1359ce565d2d2a6fd65098dfcffadeeef59f'),
    ('日本語のトークン', 'e50dfc7e4bf59ae70f8c9099bb09f66dfd05898987880820a7b4ca07afab5ec2'),
    ('🎉🔑', 'c7ed1cd4d9da3d3385e7f7fbc2e1205861a1a6688a8e37c9046be2c4ebc05999'),
    ('Ünïcödé-Tökén_€', '8d049ee2490d4d241f640a8ecb7e79cd10c7860414a76c61729fa37d123a35d9')
  ) AS v(t, d);

-- A 1 MB token, and agreement with the built-in sha256() on 10,000 inputs of
-- every length from 0 to 299 characters (ASCII and multibyte mixed), with
-- both implementations.
SELECT covara.hash_token(repeat('x€', 349526)) =
       encode(sha256(convert_to(repeat('x€', 349526), 'UTF8')), 'hex') AS one_mb_ok;
SELECT setseed(0.5);
CREATE TEMP TABLE rnd AS
  SELECT i, string_agg(CASE WHEN j IS NOT NULL
                            THEN substr('abcXYZ019-_ é€日🎉', 1 + floor(random() * 16)::int, 1) END, '') AS t
    FROM generate_series(1, 10000) i
    LEFT JOIN LATERAL generate_series(1, i % 300) j ON true
   GROUP BY i;
SELECT count(*) AS inputs, count(DISTINCT length(coalesce(t, ''))) AS lengths,
       count(*) FILTER (WHERE covara.hash_token(coalesce(t, '')) <>
                        encode(sha256(convert_to(coalesce(t, ''), 'UTF8')), 'hex')) AS mismatches
  FROM rnd;
SET covara.sha256_implementation = portable;
SELECT count(*) FILTER (WHERE covara.hash_token(coalesce(t, '')) <>
                        encode(sha256(convert_to(coalesce(t, ''), 'UTF8')), 'hex')) AS portable_mismatches
  FROM rnd;
RESET covara.sha256_implementation;

-- NULL in, NULL out.
SELECT covara.hash_token(NULL::text) IS NULL AS null_text,
       covara.hash_token(NULL::bytea) IS NULL AS null_bytea,
       covara.hash_token('x', NULL) IS NULL AS null_encoding;

-- HMAC-SHA-256: RFC 4231 test cases 1 to 7 (case 5 is truncated to 128 bits).
SELECT tc, covara.hmac_token(data, key) = mac AS bytea_ok,
       CASE WHEN tc IN (3, 4) THEN NULL   -- binary data, not text
            ELSE covara.hmac_token(convert_from(data, 'UTF8'), key) = mac END AS text_ok
  FROM (VALUES
    (1, decode(repeat('0b', 20), 'hex'), convert_to('Hi There', 'UTF8'),
     'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'),
    (2, convert_to('Jefe', 'UTF8'), convert_to('what do ya want for nothing?', 'UTF8'),
     '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'),
    (3, decode(repeat('aa', 20), 'hex'), decode(repeat('dd', 50), 'hex'),
     '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'),
    (4, decode('0102030405060708090a0b0c0d0e0f10111213141516171819', 'hex'), decode(repeat('cd', 50), 'hex'),
     '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'),
    (6, decode(repeat('aa', 131), 'hex'),
     convert_to('Test Using Larger Than Block-Size Key - Hash Key First', 'UTF8'),
     '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'),
    (7, decode(repeat('aa', 131), 'hex'),
     convert_to('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.', 'UTF8'),
     '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2')
  ) AS v(tc, key, data, mac)
 ORDER BY tc;
SELECT left(covara.hmac_token('Test With Truncation', decode(repeat('0c', 20), 'hex')), 32)
       = 'a3b6167473100ee06e0c796c2955552b' AS tc5_truncated_ok;
SELECT covara.hmac_token('message', ''::bytea) = covara.hmac_token('message', '\x00'::bytea) AS empty_key_pads_with_zeros;

-- generate_token: base64url without padding, ceil(4n/3) characters,
-- decoding back to n bytes.
SELECT n, length(tok) AS chars, tok ~ '^[A-Za-z0-9_-]*$' AS alphabet_ok,
       length(decode(rpad(translate(tok, '-_', '+/'), (length(tok) + 3) / 4 * 4, '='), 'base64')) AS bytes
  FROM (SELECT n, covara.generate_token(n) AS tok FROM unnest(ARRAY[1, 2, 3, 16, 31, 32, 33, 64, 1024]) n) s
 ORDER BY n;
SELECT length(covara.generate_token()) AS default_length;
SELECT count(*) AS calls, count(DISTINCT tok) AS distinct_tokens,
       bool_and(tok ~ '^[A-Za-z0-9_-]{43}$') AS all_43_base64url
  FROM (SELECT covara.generate_token() AS tok FROM generate_series(1, 100000)) s;
-- every base64url character turns up, so no part of the alphabet is lost
SELECT count(DISTINCT c) AS alphabet_used
  FROM (SELECT regexp_split_to_table(covara.generate_token(), '') AS c FROM generate_series(1, 2000)) s;
SELECT covara.generate_token(0);
SELECT covara.generate_token(1025);
SELECT covara.generate_token(-5);
SELECT covara.generate_token(NULL) IS NULL AS null_length;

-- token_equals
SELECT covara.token_equals('abc', 'abc') AS same,
       covara.token_equals('abc', 'abd') AS last_differs,
       covara.token_equals('xbc', 'abc') AS first_differs,
       covara.token_equals('abc', 'abcd') AS longer,
       covara.token_equals('abcd', 'abc') AS shorter,
       covara.token_equals('', '') AS both_empty,
       covara.token_equals('', 'a') AS one_empty,
       covara.token_equals('é', 'é') AS multibyte,
       covara.token_equals('a', NULL) IS NULL AS null_in;
SELECT covara.token_equals(covara.hash_token('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad') AS hash_compare;

DROP EXTENSION covara;
