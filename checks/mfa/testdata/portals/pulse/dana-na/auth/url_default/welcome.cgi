<!DOCTYPE html>
<html><head>
<title>Ivanti Connect Secure</title>
<link rel="stylesheet" href="/dana-na/css/ds.css" type="text/css">
<script src="/dana-na/auth/url_default/welcome.js"></script>
</head><body>
<form name="frmLogin" action="login.cgi" method="POST" autocomplete="off">
<input type="hidden" name="tz_offset">
<input id="username_5" type="text" name="username" size="20">
<input id="password_5" type="password" name="password" size="20">
<input type="hidden" name="realm" value="Users">
<input type="submit" value="Sign In" name="btnSubmit">
</form></body></html>
