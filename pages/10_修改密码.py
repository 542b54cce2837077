"""修改密码: every user changes their own password here (the old one first)."""

from oversight.app import login, page

ctx = page.page_setup("修改密码", filters=False)
login.change_password_form(ctx.db, ctx.user.username, forced=False)
