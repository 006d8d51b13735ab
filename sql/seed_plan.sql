-- covara.seed(plan): several tables in foreign-key order, in one transaction
CREATE EXTENSION covara;
SET datestyle = 'ISO, YMD';

CREATE TABLE seed_users (id text PRIMARY KEY, name text NOT NULL, role text DEFAULT 'member');
CREATE TABLE seed_posts (
	id integer PRIMARY KEY,
	author text NOT NULL REFERENCES seed_users,
	reply_to integer REFERENCES seed_posts,		-- a self-reference is fine
	title text
);
CREATE TABLE seed_tags (post integer REFERENCES seed_posts, tag text, PRIMARY KEY (post, tag));

-- children are listed before their parents (and jsonb keeps its keys sorted
-- by length, then bytes: seed_tags, seed_posts, seed_users); the plan is
-- applied parents first
SELECT * FROM covara.seed($${
  "seed_tags":  [{"post": 1, "tag": "hello"}, {"post": 2, "tag": "reply"}],
  "seed_posts": [{"id": 1, "author": "ada", "title": "Hello"},
                 {"id": 2, "author": "bob", "reply_to": 1, "title": "Re: Hello"}],
  "seed_users": [{"id": "ada", "name": "Ada", "role": "admin"}, {"id": "bob", "name": "Bob"}]
}$$);
SELECT * FROM seed_users ORDER BY id;
SELECT * FROM seed_posts ORDER BY id;
SELECT * FROM seed_tags ORDER BY post;

-- again: nothing new; then a partial overlap, with a schema-qualified key
SELECT * FROM covara.seed($${
  "seed_tags":  [{"post": 1, "tag": "hello"}, {"post": 2, "tag": "reply"}],
  "seed_posts": [{"id": 1, "author": "ada", "title": "Hello"},
                 {"id": 2, "author": "bob", "reply_to": 1, "title": "Re: Hello"}],
  "seed_users": [{"id": "ada", "name": "Ada", "role": "admin"}, {"id": "bob", "name": "Bob"}]
}$$);
SELECT * FROM covara.seed($${
  "public.seed_users": [{"id": "bob", "name": "Robert"}, {"id": "cy", "name": "Cy"}],
  "seed_posts": [{"id": 3, "author": "cy", "title": "Hi"}],
  "seed_tags": []
}$$);
SELECT * FROM seed_users ORDER BY id;

-- an empty plan
SELECT * FROM covara.seed('{}');

-- the auth tables, seeded together with an application table
CREATE TABLE seed_app_users (id text PRIMARY KEY, email text NOT NULL);
SELECT * FROM covara.seed($${
  "seed_app_users": [{"id": "user_1", "email": "ada@example.com"}],
  "auth_sessions": [{"id": "sess_1", "userId": "user_1",
                     "createdAt": "2024-01-01T00:00:00.000Z", "expiresAt": "2099-01-01T00:00:00.000Z"}],
  "auth_verification_tokens": [{"identifier": "ada@example.com",
                                "token": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                                "expires": "2099-01-01T00:00:00Z"}]
}$$) ORDER BY table_name;

-- errors, and nothing written: a foreign key cycle names its tables
CREATE TABLE seed_a (id integer PRIMARY KEY, b_id integer);
CREATE TABLE seed_b (id integer PRIMARY KEY, c_id integer);
CREATE TABLE seed_c (id integer PRIMARY KEY, a_id integer REFERENCES seed_a);
ALTER TABLE seed_a ADD FOREIGN KEY (b_id) REFERENCES seed_b;
ALTER TABLE seed_b ADD FOREIGN KEY (c_id) REFERENCES seed_c;
SELECT * FROM covara.seed('{"seed_a": [], "seed_b": [], "seed_c": [], "seed_users": []}');
-- two of the three are no cycle
SELECT * FROM covara.seed('{"seed_a": [{"id": 1}], "seed_b": [{"id": 2}]}');

SELECT count(*) AS users_before FROM seed_users;
SELECT * FROM covara.seed('[{"seed_users": []}]');
SELECT * FROM covara.seed('"seed_users"');
SELECT * FROM covara.seed('{"seed_users": {"id": "dan", "name": "Dan"}}');
SELECT * FROM covara.seed('{"seed_users": "dan"}');
SELECT * FROM covara.seed('{"seed_userz": []}');
SELECT * FROM covara.seed('{"seed_users": [], "public.seed_users": []}');
SELECT * FROM covara.seed('{"seed_users": [{"id": "dan", "name": "Dan"}], "seed_posts": [{"id": 9, "author": "dan", "titel": "x"}]}');
SELECT * FROM covara.seed('{"seed_users": [{"id": "dan", "name": "Dan"}], "seed_posts": [{"id": "nine", "author": "dan"}]}');
SELECT * FROM covara.seed('{"seed_users": [{"id": "dan", "name": "Dan"}], "seed_posts": [{"id": 9, "author": "eve"}]}');
CREATE VIEW seed_users_view AS SELECT * FROM seed_users;
SELECT * FROM covara.seed('{"seed_users": [{"id": "dan", "name": "Dan"}], "seed_users_view": []}');
SELECT * FROM covara.seed(NULL);
SELECT count(*) AS users_after FROM seed_users;

DROP VIEW seed_users_view;
DROP TABLE seed_tags, seed_posts, seed_users, seed_app_users;
DROP TABLE seed_a, seed_b, seed_c CASCADE;
DROP EXTENSION covara CASCADE;
