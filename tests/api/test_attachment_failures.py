"""An upload the database refuses leaves no bytes on disk, and never removes a blob another upload of the
same content owns. The database is made to refuse one file name with a real trigger (SQLite and
PostgreSQL), so the insert fails inside the database, as a constraint would, with no mock of our code."""
import pytest
from sqlalchemy import text

from tests.api.test_attachments import all_files, download, files_holding, post_file, unique_bytes, uploaded

REFUSED = "refused-by-the-database.pdf"
SQLITE_TRIGGER = [f"""CREATE TRIGGER refuse_attachment BEFORE INSERT ON attachment WHEN NEW.filename = '{REFUSED}'
                      BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"""]
POSTGRES_TRIGGER = [
    f"""CREATE FUNCTION refuse_attachment() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          IF NEW.filename = '{REFUSED}' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF;
          RETURN NEW; END $$""",
    "CREATE TRIGGER refuse_attachment BEFORE INSERT ON attachment FOR EACH ROW EXECUTE FUNCTION refuse_attachment()"]
DROP = {"sqlite": ["DROP TRIGGER refuse_attachment"],
        "postgresql": ["DROP TRIGGER refuse_attachment ON attachment", "DROP FUNCTION refuse_attachment()"]}


@pytest.fixture
def refusing_database(query_db):
    """For one test, the database refuses to insert an attachment named REFUSED."""
    dialect = query_db(lambda session: session.get_bind().dialect.name)
    create = SQLITE_TRIGGER if dialect == "sqlite" else POSTGRES_TRIGGER

    def run(statements):
        return lambda session: [session.execute(text(sql)) for sql in statements]

    query_db(run(create))
    yield
    query_db(run(DROP[dialect]))


def test_an_upload_whose_insert_fails_leaves_no_file_behind(app, api, cast, refusing_database):
    before = all_files(app)
    response = post_file(api, cast.buyer, unique_bytes(4096), filename=REFUSED)
    assert response.status_code == 500, response.text
    assert all_files(app) == before


def test_a_failed_upload_of_content_already_stored_keeps_the_stored_blob(app, api, cast, refusing_database):
    content = unique_bytes(2048)
    kept = uploaded(api, cast.seller, content)
    assert post_file(api, cast.buyer, content, filename=REFUSED).status_code == 500
    assert len(files_holding(app, content)) == 1
    assert download(api, cast.seller, kept["id"]).content == content


def test_after_a_failed_upload_the_same_content_uploads_and_downloads(app, api, cast, refusing_database):
    content = unique_bytes(1024)
    assert post_file(api, cast.buyer, content, filename=REFUSED).status_code == 500
    again = uploaded(api, cast.buyer, content)
    assert download(api, cast.buyer, again["id"]).content == content


@pytest.mark.parametrize("filename,content_type,field", [
    ("report.pdf", "application/" + "x" * 200, "content_type"),
    ("x" * 252 + ".pdf", "application/pdf", "filename"),
    ("report\x01.pdf", "application/pdf", "filename"),
])
def test_a_name_the_columns_cannot_hold_is_a_validation_error_that_stores_nothing(app, api, cast, problem,
                                                                                 filename, content_type, field):
    before = all_files(app)
    body = problem(post_file(api, cast.buyer, unique_bytes(300), filename=filename, content_type=content_type),
                   422, "validation_failed")
    assert field in body["errors"]
    assert all_files(app) == before
