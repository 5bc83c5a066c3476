<?xml version="1.0" encoding="UTF-8"?>
<html><head>
<title>RD Web Access</title>
<link href="../Site.xsl" rel="stylesheet">
</head><body>
<form id="FrmLogin" name="FrmLogin" action="login.aspx?ReturnUrl=%2FRDWeb%2FPages%2Fen-US%2FDefault.aspx" method="post">
<input id="DomainUserName" name="DomainUserName" type="text" value="">
<input id="UserPass" name="UserPass" type="password">
<input type="submit" class="formButton" id="btnSignIn" value="Sign in">
</form></body></html>
